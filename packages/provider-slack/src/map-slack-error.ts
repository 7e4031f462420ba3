// Slack's error shape, `{ ok: false, error }` at HTTP 200 (429 for `ratelimited`), mapped to the SDK codes RFC
// errors map to (`invalid_refresh_token` is Slack's `invalid_grant`). Only the error code is kept, and only when it
// looks like one; no other field of the body (`needed`, `provided`, `warning`) reaches an error.
import { SdkError, type SdkErrorCode } from "@sdk/core";
import { providerErrorCode, type HttpAnswer } from "@sdk/oauth";

/** What one Slack error code becomes. */
export interface SlackErrorMapping {
  /** The SdkError code thrown. */
  code: SdkErrorCode;
  /** What the message tells the caller to do. */
  hint: string;
}

const START_AGAIN = "send the user through buildInstallUrl again";
const TOKEN_DEAD = "the token is not valid any more (revoked, expired or the app was uninstalled): the user must connect Slack again";

/**
 * Slack error codes of oauth.v2.access and auth.revoke and what they become. Anything else is `provider_error`
 * with `details.provider_error`.
 * @see https://docs.slack.dev/reference/methods/oauth.v2.access
 */
export const SLACK_ERRORS: Readonly<Record<string, SlackErrorMapping>> = Object.freeze({
  invalid_code: { code: "reauth_required", hint: `the authorization code is unknown, expired (codes live 10 minutes) or already used: ${START_AGAIN}` },
  invalid_code_verifier: { code: "reauth_required", hint: `the PKCE verifier does not match the install's challenge: ${START_AGAIN}` },
  invalid_refresh_token: { code: "reauth_required", hint: "the refresh token is revoked, rotated out or the app was uninstalled: the user must connect Slack again" },
  // Not in Slack's list; Nango shows it for Slack (UNSURE), and it means the same as invalid_refresh_token.
  invalid_grant: { code: "reauth_required", hint: "the grant is invalid or revoked: the user must connect Slack again" },
  invalid_auth: { code: "reauth_required", hint: TOKEN_DEAD },
  not_authed: { code: "reauth_required", hint: TOKEN_DEAD },
  token_revoked: { code: "reauth_required", hint: TOKEN_DEAD },
  token_expired: { code: "reauth_required", hint: TOKEN_DEAD },
  account_inactive: { code: "reauth_required", hint: TOKEN_DEAD },
  bad_client_secret: { code: "invalid_client", hint: "client authentication failed: clientSecret is not this Slack app's Client Secret" },
  invalid_client_id: { code: "invalid_client", hint: "clientId is not a Slack app's Client ID" },
  bad_redirect_uri: {
    code: "misconfigured",
    hint: "redirect_uri does not match: redirectUri must equal (or sit below) one of the app's Redirect URLs and stay the same from authorize to callback",
  },
  oauth_authorization_url_mismatch: { code: "misconfigured", hint: "the install did not start at /oauth/v2/authorize: check endpoints.authorizeUrl" },
  invalid_grant_type: { code: "provider_error", hint: "Slack does not accept this grant_type" },
  cannot_install_an_org_installed_app: { code: "provider_error", hint: "the app is installed org-wide already; the workspace is covered by that install" },
  no_scopes: { code: "provider_error", hint: "the install requested no scope: pass scopes or userScopes" },
  ratelimited: { code: "provider_rate_limited", hint: "Slack is rate limiting these calls; retry later" },
  internal_error: { code: "provider_unavailable", hint: "Slack had an internal error; retry later" },
  fatal_error: { code: "provider_unavailable", hint: "Slack had an internal error; retry later" },
  service_unavailable: { code: "provider_unavailable", hint: "Slack is unavailable; retry later" },
  request_timeout: { code: "provider_unavailable", hint: "Slack timed out; retry later" },
});

/**
 * A Slack error code from a body, or undefined when the body is not `ok: false`. Anything but lower-case letters and
 * `_` becomes "unknown": a hex secret or a token echoed into `error` never reaches an error message.
 */
export function slackErrorCode(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || (body as { ok?: unknown }).ok !== false) return undefined;
  const error = (body as { error?: unknown }).error;
  return providerErrorCode(error) ?? "unknown";
}

/** The `mapError` hook: an SdkError for Slack's `ok: false` bodies (at any HTTP status), undefined otherwise. */
export function mapSlackError(answer: HttpAnswer): SdkError | undefined {
  const error = slackErrorCode(answer.body);
  if (error === undefined) return undefined;
  const details = { provider: "slack", status: answer.status, provider_error: error };
  const known = Object.hasOwn(SLACK_ERRORS, error) ? SLACK_ERRORS[error] : undefined;
  if (!known) return new SdkError("provider_error", `Slack answered "${error}" (HTTP ${answer.status}).`, { details });
  return new SdkError(known.code, `Slack: ${known.hint} (HTTP ${answer.status}, ${error}).`, { details });
}
