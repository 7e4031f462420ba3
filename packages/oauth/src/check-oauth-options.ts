// Validation of the options every OAuth provider is built from: a wrong option is a `misconfigured` error naming the
// field, thrown when the provider is defined, never at the first install or refresh.
import { parseOptions, scopeSchema, urlSchema } from "@sdk/core/provider-kit";
import { z } from "zod";
import type { OAuthProviderOptions } from "./oauth-provider-options.js";
import { oauthTuningSchema } from "./oauth-tuning.js";

const optionsSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  redirectUri: urlSchema,
  authorizeUrl: urlSchema.optional(),
  // A URL, or a function of the install (Sentry's per-installation endpoint).
  tokenUrl: z.union([urlSchema, z.custom<(...args: never[]) => unknown>((value) => typeof value === "function")], "must be an http(s) URL or a function").optional(),
  discovery: z.boolean().optional(),
  revokeUrl: urlSchema.optional(),
  scopes: z.array(scopeSchema).optional(),
  defaultExpiresInSeconds: z.number().int().positive().optional(),
  issuer: z.string().min(1).max(2048).optional(),
  authorizationResponseIssParameterSupported: z.boolean().optional(),
  ...oauthTuningSchema.shape,
  refreshTokenIdleMs: z.number().int().positive().optional(),
  chains: z.array(z.string().regex(/^[a-z][a-z0-9]*$/)).optional(),
})
  .refine((options) => !options.authorizationResponseIssParameterSupported || options.issuer !== undefined, {
    message: "is required when authorizationResponseIssParameterSupported is true",
    path: ["issuer"],
  })
  .refine((options) => options.discovery !== true || options.issuer !== undefined, { message: "is required when discovery is true", path: ["issuer"] })
  .superRefine((options, issues) => {
    if (usesDiscovery(options)) return;
    for (const field of ["authorizeUrl", "tokenUrl"] as const) {
      if (options[field] === undefined) issues.addIssue({ code: "custom", path: [field], message: "is required unless issuer is given (RFC 8414 discovery reads it from the server's metadata)" });
    }
  });

/** Whether the provider reads its server's metadata: asked for, or `issuer` given with an endpoint left out. */
export function usesDiscovery(options: { issuer?: unknown; discovery?: boolean | undefined; authorizeUrl?: unknown; tokenUrl?: unknown }): boolean {
  if (options.issuer === undefined || options.discovery === false) return false;
  return options.discovery === true || options.authorizeUrl === undefined || options.tokenUrl === undefined;
}

/** Throws `misconfigured` naming the invalid options (`defineOAuthProvider.tokenUrl`), like every provider factory. */
export function checkOAuthOptions(options: OAuthProviderOptions): void {
  parseOptions(optionsSchema, options, "defineOAuthProvider");
}
