import { describe, expect, it, afterEach } from "vitest";
import { REDIRECT_URI, TWELVE_HOURS, failure, startSlackHarness, type SlackHarness } from "../test/harness.js";
import { SLACK_ERRORS, mapSlackError } from "./map-slack-error.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const answer = (body: unknown, status = 200) => ({ status, headers: new Headers(), body });

describe("mapSlackError", () => {
  it("maps Slack's codes to SDK codes, keeps the Slack code in details, and leaves ok:true bodies alone", () => {
    const expected: Record<string, string> = {
      invalid_code: "reauth_required",
      invalid_refresh_token: "reauth_required",
      invalid_grant: "reauth_required",
      bad_client_secret: "invalid_client",
      invalid_client_id: "invalid_client",
      bad_redirect_uri: "misconfigured",
      oauth_authorization_url_mismatch: "misconfigured",
      invalid_grant_type: "provider_error",
      ratelimited: "provider_rate_limited",
      internal_error: "provider_unavailable",
      token_revoked: "reauth_required",
    };
    for (const [slackCode, sdkCode] of Object.entries(expected)) {
      const error = mapSlackError(answer({ ok: false, error: slackCode }));
      expect(error?.code, slackCode).toBe(sdkCode);
      expect(error?.details).toEqual({ provider: "slack", status: 200, provider_error: slackCode });
      expect(SLACK_ERRORS[slackCode]?.code).toBe(sdkCode);
    }
    expect(mapSlackError(answer({ ok: true, access_token: "x" }))).toBeUndefined();
    expect(mapSlackError(answer(undefined))).toBeUndefined();
    expect(mapSlackError(answer({ error: "invalid_grant" }))).toBeUndefined();
    expect(mapSlackError(answer({ ok: false, error: "brand_new_error" }))).toMatchObject({ code: "provider_error", details: { provider_error: "brand_new_error" } });
    expect(mapSlackError(answer({ ok: false, error: "toString" }))).toMatchObject({ code: "provider_error" });
  });

  it("never copies anything but a code-shaped error: tokens, hex secrets and other fields stay out", () => {
    for (const echoed of ["xoxe.xoxb-1-abc", "e1b9e11dfcd19c1982d5de12921e17e8c", "invalid code", 42]) {
      const error = mapSlackError(answer({ ok: false, error: echoed, needed: "xoxp-secret", warning: "xoxp-secret" }));
      expect(error?.details.provider_error).toBe("unknown");
      expect(JSON.stringify(error) + error?.message).not.toMatch(/xox|e1b9e11d/);
    }
  });
});

describe("Slack errors end to end on the emulator", () => {
  it("invalid_code (a code older than its lifetime) -> reauth_required at the callback: start the install again", async () => {
    h = await startSlackHarness({ emulator: { codeTtlMs: 1000 } });
    const started = await h.sdk.buildInstallUrl({ provider: "slack", user_id: "u1", account_id: "acct-1" });
    const back = new URL(await h.emulator.consent(started.url));
    h.emulator.clock.advance(2000);
    const code = back.searchParams.get("code")!;
    const error = await failure(h.sdk.handleInstallCallback({ provider: "slack", code, state: back.searchParams.get("state")!, browser_binding: started.browser_binding }));
    expect(error.code).toBe("reauth_required");
    expect(error.details.provider_error).toBe("invalid_code");
    expect(error.message).toMatch(/buildInstallUrl/);
    expect(error.message).not.toContain(code);
  });

  it("bad_client_secret -> invalid_client; invalid_client_id -> invalid_client; bad_redirect_uri -> misconfigured", async () => {
    h = await startSlackHarness();
    const callbackOn = async (other: ReturnType<SlackHarness["process"]>, starter = h!.sdk) => {
      const started = await starter.buildInstallUrl({ provider: "slack", user_id: "u1", account_id: "acct-1" });
      const back = new URL(await h!.emulator.consent(started.url));
      return failure(other.handleInstallCallback({ provider: "slack", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: started.browser_binding }));
    };
    const wrongSecret = h.process({ clientSecret: "not-the-secret" });
    expect(await callbackOn(wrongSecret, wrongSecret)).toMatchObject({ code: "invalid_client", details: { provider_error: "bad_client_secret", status: 200 } });
    // Another process with another client id finishes an install this one started (same state secrets and cache).
    expect(await callbackOn(h.process({ clientId: "9999999999.9999999999" }))).toMatchObject({ code: "invalid_client", details: { provider_error: "invalid_client_id" } });
    expect(await callbackOn(h.process({ redirectUri: `${REDIRECT_URI}/other` }))).toMatchObject({ code: "misconfigured", details: { provider_error: "bad_redirect_uri" } });
    expect(await h.sdk.listConnections({ account_id: "acct-1" })).toEqual([]);
  });

  it("invalid_refresh_token (app uninstalled) -> reauth_required, needs_reauth, events, and no further token calls", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    h.emulator.revokeInstall("T0ACME0001");
    h.emulator.clock.advance(TWELVE_HOURS);
    const error = await failure(h.resolve(saved.id));
    expect(error).toMatchObject({ code: "reauth_required", details: { provider_error: "invalid_refresh_token" } });
    expect((await h.sdk.getConnection(saved.id)).status).toBe("needs_reauth");
    expect(h.events.map((event) => event.name)).toEqual(["connection.needs_reauth", "token.refresh_failed"]);
    const calls = h.emulator.stats.tokenCalls;
    expect((await failure(h.resolve(saved.id))).code).toBe("reauth_required");
    expect(h.emulator.stats.tokenCalls).toBe(calls);
  });

  it("a rotated-out refresh token (strict grace of 0) is invalid_refresh_token -> reauth_required", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    const old = (await h.credentials(saved.id)).refresh_token as string;
    h.emulator.clock.advance(TWELVE_HOURS);
    await h.resolve(saved.id);
    // A stale copy of the record (a restored backup) presents the rotated-out token.
    const current = await h.store.get(saved.id);
    const { CredentialCipher } = await import("@sdk/core/provider-kit");
    const { ENCRYPTION } = await import("../test/harness.js");
    const cipher = new CredentialCipher(ENCRYPTION.keys);
    await h.store.update(saved.id, { credentials: { ...current!.credentials, refresh_token: cipher.encrypt(saved.id, "refresh_token", old) }, updated_at: new Date().toISOString() }, { expectedVersion: current!.version });
    await h.sdk.invalidateConnection(saved.id);
    expect(await failure(h.resolve(saved.id))).toMatchObject({ code: "reauth_required", details: { provider_error: "invalid_refresh_token" } });
    expect(h.emulator.stats.reuseDetected).toBe(1);
  });

  it("429 ratelimited with Retry-After is retried, then succeeds", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    h.emulator.clock.advance(TWELVE_HOURS);
    h.emulator.fault("oauth.v2.access", { kind: "rate_limit", retryAfterSeconds: 0 }, 2);
    const runtime = await h.resolve(saved.id);
    expect(runtime.access_token).toMatch(/^xoxe\.xoxb-/);
    expect(h.emulator.counters["oauth.v2.access"]).toBe(4);
    expect(h.emulator.stats.refreshes).toBe(1);
  });

  it("429 past the retries -> provider_rate_limited with retry_after_ms, record untouched and still active", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    h.emulator.clock.advance(TWELVE_HOURS);
    h.emulator.fault("oauth.v2.access", { kind: "rate_limit", retryAfterSeconds: 0 }, 3);
    const exhausted = await failure(h.resolve(saved.id));
    expect(exhausted).toMatchObject({ code: "provider_rate_limited", retryable: true, details: { retry_after_ms: 0, attempts: 3 } });
    // A Retry-After beyond the longest backoff is not waited for at all.
    h.emulator.clock.advance(5000);
    h.emulator.fault("oauth.v2.access", { kind: "rate_limit", retryAfterSeconds: 60 }, 1);
    const before = h.emulator.counters["oauth.v2.access"]!;
    expect(await failure(h.resolve(saved.id))).toMatchObject({ code: "provider_rate_limited", details: { retry_after_ms: 60_000, attempts: 1 } });
    expect(h.emulator.counters["oauth.v2.access"]).toBe(before + 1);
    const record = await h.sdk.getConnection(saved.id);
    expect(record).toMatchObject({ status: "active", version: saved.version });
  });

  it("HTTP 200 ok:false ratelimited is rate limiting too; internal_error is retried as unavailable", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    h.emulator.clock.advance(TWELVE_HOURS);
    h.emulator.fault("oauth.v2.access", { kind: "status", status: 200, body: { ok: false, error: "ratelimited" } }, 1);
    h.emulator.fault("oauth.v2.access", { kind: "status", status: 200, body: { ok: false, error: "internal_error" } }, 1);
    await h.resolve(saved.id);
    expect(h.emulator.counters["oauth.v2.access"]).toBe(4);
    h.emulator.clock.advance(TWELVE_HOURS);
    h.emulator.fault("oauth.v2.access", { kind: "status", status: 200, body: { ok: false, error: "internal_error" } }, 3);
    expect(await failure(h.resolve(saved.id))).toMatchObject({ code: "provider_unavailable", details: { provider_error: "internal_error" } });
  });

  it("an unknown Slack error is provider_error naming it; a body that is not JSON is provider_response_invalid", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    h.emulator.clock.advance(TWELVE_HOURS);
    h.emulator.fault("oauth.v2.access", { kind: "status", status: 200, body: { ok: false, error: "team_access_not_granted" } }, 1);
    expect(await failure(h.resolve(saved.id))).toMatchObject({ code: "provider_error", retryable: false, details: { provider_error: "team_access_not_granted" } });
    h.emulator.clock.advance(5000);
    h.emulator.fault("oauth.v2.access", { kind: "malformed" }, 1);
    expect((await failure(h.resolve(saved.id))).code).toBe("provider_response_invalid");
    h.emulator.clock.advance(5000);
    h.emulator.fault("oauth.v2.access", { kind: "status", status: 200, body: { ok: true, team: { id: "T0ACME0001" } } }, 1);
    expect(await failure(h.resolve(saved.id))).toMatchObject({ code: "provider_response_invalid", details: { field: "access_token" } });
    expect((await h.sdk.getConnection(saved.id)).status).toBe("active");
  });
});
