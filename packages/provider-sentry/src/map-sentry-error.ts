// Sentry answers errors as `{ "detail": "…" }`, not RFC 6749 `error` codes. This maps the known details to SDK
// codes for the engine's token client. The detail text is matched, never copied: only a stable short name goes into
// the error. 429 and 5xx stay with the engine (retries); unknown 4xx fall through to its generic mapping.
import { SdkError, type SdkErrorCode } from "@sdk/core";
import type { HttpAnswer } from "@sdk/oauth";

interface KnownDetail {
  code: SdkErrorCode;
  /** Stable short name put in `details.provider_error`. */
  name: string;
  hint: string;
}

const MUST_RECONNECT = "the organization must install the Sentry integration again";

/** Sentry's `detail` texts (sentry_apps/token_exchange, utils/errors.py) and what they mean for the SDK. */
const KNOWN_DETAILS: Record<string, KnownDetail> = {
  "Given refresh token does not exist": { code: "reauth_required", name: "refresh_token_not_found", hint: `the refresh token was rotated or deleted: ${MUST_RECONNECT}` },
  "Could not find grant for given code": { code: "reauth_required", name: "grant_not_found", hint: `the install code is unknown or was already used: ${MUST_RECONNECT}` },
  "Forbidden grant": { code: "reauth_required", name: "grant_forbidden", hint: `the install code belongs to another installation: ${MUST_RECONNECT}` },
  "Grant has already expired": { code: "reauth_required", name: "grant_expired", hint: `the install code expired (10 minutes): ${MUST_RECONNECT}` },
  "Token does not belong to the application": {
    code: "reauth_required",
    name: "token_not_of_application",
    hint: `the stored token belongs to another installation or app: ${MUST_RECONNECT}`,
  },
  "Invalid Client ID / Secret pair": { code: "invalid_client", name: "invalid_client", hint: "client authentication failed: check the Sentry app's clientId / clientSecret" },
  "Invalid grant_type": { code: "provider_error", name: "invalid_grant_type", hint: "Sentry does not accept this grant type" },
};

const INSTALLATION_GONE: KnownDetail = { code: "reauth_required", name: "installation_not_found", hint: `the installation no longer exists (uninstalled): ${MUST_RECONNECT}` };

/** The engine's `mapError` hook for Sentry. Returns undefined for answers it does not recognise. */
export function mapSentryError(answer: HttpAnswer, provider = "sentry"): SdkError | undefined {
  if (answer.status < 400 || answer.status >= 500 || answer.status === 429) return undefined;
  const body = typeof answer.body === "object" && answer.body !== null ? (answer.body as { detail?: unknown; error?: unknown }) : undefined;
  // "Invalid grant_type" is a 403 under `error`, not `detail` (sentry_app_authorizations.py); the rest use `detail`.
  const detail = typeof body?.detail === "string" ? body.detail : answer.status === 403 && body?.error === "Invalid grant_type" ? body.error : undefined;
  // A 404 means the installation is gone only with Sentry's own text: a wrong host or path also answers 404, and
  // must not mark every integration needs_reauth.
  const gone = answer.status === 404 && typeof detail === "string" && detail.startsWith("The requested resource does not exist");
  const known = typeof detail === "string" ? (KNOWN_DETAILS[detail] ?? (gone ? INSTALLATION_GONE : undefined)) : undefined;
  if (!known) return undefined;
  return new SdkError(known.code, `${provider}: ${known.hint} (HTTP ${answer.status}, ${known.name}).`, {
    details: { provider, status: answer.status, provider_error: known.name },
  });
}
