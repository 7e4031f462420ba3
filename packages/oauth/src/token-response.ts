// Parsing of token endpoint bodies (RFC 6749 section 5.1) into TokenFields, checked field by field with zod.
// Provider packages with other shapes (Sentry camelCase, Slack's two chains) bring their own parser.
import { SdkError } from "@sdk/core";
import { lazySchema } from "@sdk/core/provider-kit";
import type { z } from "zod";

/** One chain's tokens as a provider returned them. `expires_at` (ms) wins over `expires_in` (s). */
export interface TokenFields {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  expires_at?: number;
  refresh_token?: string;
  scopes?: string[];
}

const rfcTokenSchema = lazySchema((z) =>
  z.object({
    access_token: z.string().min(1),
    token_type: z.string().min(1).optional(),
    expires_in: z.coerce.number().positive().optional(),
    refresh_token: z.string().min(1).optional(),
    scope: z.string().optional(),
  }),
);

/** Throws `provider_response_invalid` naming the first bad field, never its value. */
export function invalidResponse(provider: string, issue: z.core.$ZodIssue | undefined, what = "token response"): SdkError {
  const field = issue?.path.map(String).join(".") || "body";
  return new SdkError("provider_response_invalid", `"${field}" in ${provider} ${what} is ${issue?.code === "invalid_type" && issue.message.includes("undefined") ? "missing" : "invalid"}.`, {
    details: { provider, field },
  });
}

/** The RFC 6749 section 5.1 parser, used unless a provider brings its own. */
export function parseRfcTokenResponse(provider: string, body: unknown): TokenFields {
  const result = rfcTokenSchema().safeParse(body);
  if (!result.success) throw invalidResponse(provider, result.error.issues[0]);
  const { scope, ...rest } = result.data;
  return { ...rest, ...(scope !== undefined ? { scopes: scope.split(/[\s,]+/).filter(Boolean) } : {}) };
}
