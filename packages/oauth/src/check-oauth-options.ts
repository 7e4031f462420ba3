// Validation of the options every OAuth provider is built from, and their flat view for the engine's parts: a wrong
// option is a `misconfigured` error naming the field (`client.redirectUri`), thrown when the provider is defined,
// never at the first install or refresh.
import { lazySchema, parseOptions, scopeSchema, urlSchema } from "@sdk/core/provider-kit";
import type { z } from "zod";
import type { EngineSettings, OAuthProviderOptions } from "./oauth-provider-options.js";
import { oauthTuningSchema } from "./oauth-tuning.js";

const fn = lazySchema((z) => z.custom<(...args: never[]) => unknown>((value) => typeof value === "function", "must be a function"));

const optionsSchema = lazySchema((z) =>
  z.object({
    id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
    chains: z.array(z.string().regex(/^[a-z][a-z0-9]*$/)).optional(),
    client: z.object({
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      redirectUri: urlSchema(),
      scopes: z.array(scopeSchema()).optional(),
    }),
    endpoints: z
      .object({
        authorizeUrl: urlSchema().optional(),
        // A URL, or a function of the install (Sentry's per-installation endpoint).
        tokenUrl: z.union([urlSchema(), fn()], "must be an http(s) URL or a function").optional(),
        discovery: z.boolean().optional(),
        revokeUrl: urlSchema().optional(),
        issuer: z.string().min(1).max(2048).optional(),
        authorizationResponseIssParameterSupported: z.boolean().optional(),
      })
      .refine((endpoints) => !endpoints.authorizationResponseIssParameterSupported || endpoints.issuer !== undefined, {
        message: "is required when authorizationResponseIssParameterSupported is true",
        path: ["issuer"],
      })
      .refine((endpoints) => endpoints.discovery !== true || endpoints.issuer !== undefined, { message: "is required when discovery is true", path: ["issuer"] })
      .superRefine((endpoints, issues) => {
        if (usesDiscovery(endpoints)) return;
        for (const field of ["authorizeUrl", "tokenUrl"] as const) {
          if (endpoints[field] === undefined) issues.addIssue({ code: "custom", path: [field], message: "is required unless issuer is given (RFC 8414 discovery reads it from the server's metadata)" });
        }
      }),
    tuning: z
      .object({
        ...oauthTuningSchema().shape,
        defaultExpiresInSeconds: z.number().int().positive().optional(),
        refreshTokenIdleMs: z.number().int().positive().optional(),
        accessTokenOutlivesRefresh: z.boolean().optional(),
      })
      .refine((tuning) => tuning.accessTokenOutlivesRefresh !== false || !tuning.refreshAheadSeconds, {
        message: "must be 0 when accessTokenOutlivesRefresh is false (the provider revokes the old access token at a refresh)",
        path: ["refreshAheadSeconds"],
      })
      .optional(),
    hooks: z.record(z.string(), fn().or(z.object({ describe: fn() }).loose())).optional(),
  }),
);

/** Whether the provider reads its server's metadata: asked for, or `issuer` given with an endpoint left out. */
export function usesDiscovery(endpoints: { issuer?: unknown; discovery?: boolean | undefined; authorizeUrl?: unknown; tokenUrl?: unknown }): boolean {
  if (endpoints.issuer === undefined || endpoints.discovery === false) return false;
  return endpoints.discovery === true || endpoints.authorizeUrl === undefined || endpoints.tokenUrl === undefined;
}

/**
 * Throws `misconfigured` naming the invalid options (`defineOAuthProvider.client.redirectUri`), like every provider
 * factory; returns the flat view the engine's parts read.
 */
export function checkOAuthOptions(options: OAuthProviderOptions): EngineSettings {
  parseOptions(optionsSchema(), options, "defineOAuthProvider");
  const { client, endpoints, tuning, hooks, ...top } = options;
  return { ...top, ...client, ...endpoints, ...tuning, ...hooks };
}
