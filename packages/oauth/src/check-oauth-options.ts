// Validation of the options every OAuth provider is built from: a wrong option is a `misconfigured` error naming the
// field, thrown when the provider is defined, never at the first install or refresh.
import { parseOptions, scopeSchema, urlSchema } from "@sdk/core";
import { z } from "zod";
import type { OAuthProviderOptions } from "./oauth-provider-options.js";
import { oauthTuningSchema } from "./oauth-tuning.js";

const optionsSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  redirectUri: urlSchema,
  authorizeUrl: urlSchema,
  // A URL, or a function of the install (Sentry's per-installation endpoint).
  tokenUrl: z.union([urlSchema, z.custom<(...args: never[]) => unknown>((value) => typeof value === "function")], "must be an http(s) URL or a function"),
  revokeUrl: urlSchema.optional(),
  scopes: z.array(scopeSchema).optional(),
  defaultExpiresInSeconds: z.number().int().positive().optional(),
  issuer: z.string().min(1).max(2048).optional(),
  authorizationResponseIssParameterSupported: z.boolean().optional(),
  ...oauthTuningSchema.shape,
  refreshTokenIdleMs: z.number().int().positive().optional(),
  chains: z.array(z.string().regex(/^[a-z][a-z0-9]*$/)).optional(),
}).refine((options) => !options.authorizationResponseIssParameterSupported || options.issuer !== undefined, {
  message: "is required when authorizationResponseIssParameterSupported is true",
  path: ["issuer"],
});

/** Throws `misconfigured` naming the invalid options (`defineOAuthProvider.tokenUrl`), like every provider factory. */
export function checkOAuthOptions(options: OAuthProviderOptions): void {
  parseOptions(optionsSchema, options, "defineOAuthProvider");
}
