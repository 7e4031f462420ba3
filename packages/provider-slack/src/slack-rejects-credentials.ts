// Slack's Web API refuses a token with HTTP 200 `{ ok: false, error: "token_expired" }` (or `invalid_auth`,
// `token_revoked`), never a 401. This hook lets `sdk.fetch` treat those like a 401: invalidate, refresh once, retry once.
import { slackErrorCode } from "./map-slack-error.js";

/** Refusals a refresh can cure: an expired token, or one Slack revoked while the refresh token still works (2-live-token rule). */
const REFRESHABLE = new Set(["token_expired", "token_revoked", "invalid_auth"]);

/** The `rejectsCredentials` hook; gets a clone of the API answer. */
export async function slackRejectsCredentials(response: Response): Promise<boolean> {
  if (response.status !== 200 || !/\bjson\b/i.test(response.headers.get("content-type") ?? "")) {
    // Not awaited: a clone's cancel settles only once the caller's copy of the body is consumed too.
    void response.body?.cancel().catch(() => undefined);
    return false;
  }
  try {
    return REFRESHABLE.has(slackErrorCode(await response.json()) ?? "");
  } catch {
    return false;
  }
}
