// PKCE S256 is on by default for generic providers: the authorize URL carries an S256 challenge, and a code that
// leaks (browser history, a proxy log, a referrer) cannot be redeemed without the verifier that only this install's
// cache entry holds — not at the token endpoint directly, not through another install session.
import { afterEach, expect, it } from "vitest";
import { startHarness, type Harness, REDIRECT_URI } from "../test/harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

it("sends S256 and a leaked code cannot be redeemed elsewhere", async () => {
  const h = (harness = await startHarness({ server: { requirePkce: true } }));
  const started = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
  const authorize = new URL(started.url);
  expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
  expect(authorize.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const back = new URL(await h.server.consent(started.url, { user: "user-1" }));
  const leaked = back.searchParams.get("code")!;

  // The attacker has the code and even the client credentials, but not the verifier.
  const direct = await fetch(h.server.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${h.server.clientId}:${h.server.clientSecret}`).toString("base64")}` },
    body: new URLSearchParams({ grant_type: "authorization_code", code: leaked, redirect_uri: REDIRECT_URI }).toString(),
  });
  expect(direct.status).toBe(400);

  // Another install session (its own state and verifier) presenting the leaked code is refused by the provider.
  const other = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
  const otherBack = new URL(await h.server.consent(other.url, { user: "user-1" }));
  const swapped = await h.sdk.handleInstallCallback({ provider: "acme", code: leaked, state: otherBack.searchParams.get("state")!, browser_binding: other.browser_binding }).catch((error: unknown) => error);
  expect(swapped).toMatchObject({ code: "reauth_required" });

  expect(h.server.stats.codeExchanges).toBe(0);
});
