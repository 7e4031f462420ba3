// Validation of the options every OAuth provider is built from: a wrong option is a `misconfigured` error naming the
// field, thrown when the provider is defined, never at the first install or refresh.
import { SdkError } from "@sdk/core";
import { scopeSchema, urlSchema } from "@sdk/core/provider-kit";
import { z } from "zod";
import type { OAuthProviderOptions } from "./oauth-provider-options.js";
import { oauthTuningSchema } from "./oauth-tuning.js";

const optionsSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  redirectUri: urlSchema,
  authorizeUrl: urlSchema,
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

/** Throws `misconfigured` naming the first invalid option. */
export function checkOAuthOptions(options: OAuthProviderOptions): void {
  const checked = optionsSchema.safeParse(options);
  if (checked.success) return;
  const issue = checked.error.issues[0]!;
  throw new SdkError("misconfigured", `OAuth provider option "${issue.path.join(".")}" is invalid: ${issue.message}`, { details: { field: issue.path.join(".") } });
}
