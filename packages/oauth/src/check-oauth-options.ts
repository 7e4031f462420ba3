// Validation of the options every OAuth provider is built from, and their flat view for the engine's parts: a wrong
// option is a `misconfigured` error naming the field (`client.redirectUri`), thrown when the provider is defined,
// never at the first install or refresh.
import { SdkError } from "@sdk/core";
import { scopeSchema, urlSchema } from "@sdk/core/provider-kit";
import { z } from "zod";
import type { EngineSettings, OAuthProviderOptions } from "./oauth-provider-options.js";
import { oauthTuningSchema } from "./oauth-tuning.js";

const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === "function", "must be a function");

const optionsSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  chains: z.array(z.string().regex(/^[a-z][a-z0-9]*$/)).optional(),
  client: z.object({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    redirectUri: urlSchema,
    scopes: z.array(scopeSchema).optional(),
  }),
  endpoints: z
    .object({
      authorizeUrl: urlSchema,
      // A URL, or a function of the install (Sentry's per-installation endpoint).
      tokenUrl: z.union([urlSchema, fn], "must be an http(s) URL or a function"),
      revokeUrl: urlSchema.optional(),
      issuer: z.string().min(1).max(2048).optional(),
      authorizationResponseIssParameterSupported: z.boolean().optional(),
    })
    .refine((endpoints) => !endpoints.authorizationResponseIssParameterSupported || endpoints.issuer !== undefined, {
      message: "is required when authorizationResponseIssParameterSupported is true",
      path: ["issuer"],
    }),
  tuning: z
    .object({
      ...oauthTuningSchema.shape,
      defaultExpiresInSeconds: z.number().int().positive().optional(),
      refreshTokenIdleMs: z.number().int().positive().optional(),
    })
    .optional(),
  hooks: z.record(z.string(), fn.or(z.object({ describe: fn }).loose())).optional(),
});

/** Throws `misconfigured` naming the first invalid option; returns the flat view the engine's parts read. */
export function checkOAuthOptions(options: OAuthProviderOptions): EngineSettings {
  const checked = optionsSchema.safeParse(options);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const field = issue.path.join(".");
    throw new SdkError("misconfigured", `OAuth provider option "${field}" is invalid: ${issue.message}`, { details: { field } });
  }
  const { client, endpoints, tuning, hooks, ...top } = options;
  return { ...top, ...client, ...endpoints, ...tuning, ...hooks };
}
