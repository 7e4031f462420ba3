// Sentry's authorizations answer (HTTP 201): camelCase `token`, `refreshToken`, `expiresAt` (ISO 8601), `scopes`,
// no `expires_in`. Checked field by field; an error names the field, never its value.
import { invalidResponse, type TokenFields } from "@sdk/oauth";
import { lazySchema } from "@sdk/core/provider-kit";
import type { z } from "zod";

const sentryTokenSchema = lazySchema((z) =>
  z.object({
    token: z.string().min(1).max(16_384),
    refreshToken: z.string().min(1).max(16_384),
    /** Absent only if Sentry changed its shape; the engine then assumes the documented 8 h. */
    expiresAt: z
      .string()
      .refine((value) => Number.isFinite(Date.parse(value)), "must be an ISO 8601 date")
      .optional(),
    /** The token's scopes (providers/sentry.md "Response"); kept in the runtime. */
    scopes: z.array(z.string().min(1).max(128)).max(200).optional(),
  }),
);

/** The engine's `parseTokenResponse` hook for Sentry: one chain (the installation token). */
export function parseSentryTokenResponse(body: unknown, provider = "sentry"): Record<string, TokenFields> {
  const result = sentryTokenSchema().safeParse(body);
  if (!result.success) throw invalidResponse(provider, result.error.issues[0], "authorizations response");
  const { token, refreshToken, expiresAt, scopes } = result.data;
  return {
    "": {
      access_token: token,
      refresh_token: refreshToken,
      token_type: "Bearer",
      ...(scopes !== undefined ? { scopes } : {}),
      ...(expiresAt !== undefined ? { expires_at: Date.parse(expiresAt) } : {}),
    },
  };
}
