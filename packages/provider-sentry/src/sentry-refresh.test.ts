// Refresh against the emulator: 8 h tokens from expiresAt, rotation that deletes the old pair at once, one refresh
// per expiry across processes (so the old refresh token is never presented twice), no retry after a timeout,
// Sentry `{ detail }` errors mapped to SDK codes, and sdk.fetch's 401 -> refresh -> retry.
import { SdkError } from "@sdk/core";
import { accessTokenKey } from "@sdk/core/provider-kit";
import { describe, expect, it } from "vitest";
import { readCachedToken } from "@sdk/oauth/testing";
import { EIGHT_HOURS, ENCRYPTION_KEYS, codeOf, useHarness, type Harness } from "../test/harness.js";
import type { SentryRuntime } from "./sentry.js";

const start = useHarness();

/** Calls the emulator's authorizations endpoint directly, as an attacker or a second client holding a token would. */
async function presentRefreshToken(h: Harness, installationId: string, refreshToken: unknown) {
  const response = await fetch(h.emulator.endpoints.authorizationsUrl(installationId), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: h.emulator.clientId, client_secret: h.emulator.clientSecret }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function projectsWith(h: Harness, token: string): Promise<number> {
  const response = await fetch(`${h.emulator.url}/api/0/organizations/acme/projects/`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

describe("refresh", () => {
  it("refreshes at expiresAt minus the skew, rotates both tokens, and the old pair is dead at once", async () => {
    const h = await start();
    const refreshed: string[] = [];
    h.sdk.events.on("token.refreshed", (event) => refreshed.push(event.expires_at));
    const { id, installationId } = await h.connect();
    const first = await h.sdk.resolveConnection<SentryRuntime>(id);
    const firstRefresh = (await h.storedCredentials(id)).refresh_token;

    h.clock.advance(EIGHT_HOURS - 61_000);
    expect((await h.sdk.resolveConnection<SentryRuntime>(id)).token).toBe(first.token);
    expect(h.emulator.stats.refreshes).toBe(0);

    h.clock.advance(2000);
    const second = await h.sdk.resolveConnection<SentryRuntime>(id);
    expect(second.token).not.toBe(first.token);
    expect(h.emulator.stats.refreshes).toBe(1);
    expect(Date.parse(second.expires_at)).toBe(h.clock.now() + EIGHT_HOURS);
    expect(refreshed).toEqual([second.expires_at]);
    const secondRefresh = (await h.storedCredentials(id)).refresh_token;
    expect(secondRefresh).not.toBe(firstRefresh);
    expect((await readCachedToken(h.cache, accessTokenKey("sentry", id, "acct-1"), ENCRYPTION_KEYS))?.access_token).toBe(second.token);

    expect(await projectsWith(h, first.token)).toBe(401);
    expect(await projectsWith(h, second.token)).toBe(200);
    expect(await presentRefreshToken(h, installationId, firstRefresh)).toEqual({ status: 400, body: { detail: "Given refresh token does not exist" } });
    expect((await h.sdk.getConnection(id)).status).toBe("active");
  });

  it("has no refresh-ahead: a token close to expiry is not refreshed in the background (the refresh would revoke it)", async () => {
    const h = await start();
    const { id } = await h.connect();
    const first = await h.sdk.resolveConnection<SentryRuntime>(id);
    // Where the engine's default window (300 s before the 60 s skew) would be open.
    h.clock.advance(EIGHT_HOURS - 200_000);
    for (let call = 0; call < 5; call++) expect((await h.sdk.resolveConnection<SentryRuntime>(id)).token).toBe(first.token);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.emulator.stats.refreshes).toBe(0);
    expect(await projectsWith(h, first.token)).toBe(200);
  });

  it("N processes x M concurrent resolves of an expired token make one refresh per expiry and never present a dead refresh token", async () => {
    const h = await start();
    const { id } = await h.connect();
    const processes = Array.from({ length: 4 }, () => h.process());
    for (let expiry = 1; expiry <= 3; expiry++) {
      h.clock.advance(EIGHT_HOURS);
      h.emulator.fault("authorizations", { kind: "delay", ms: 40 }, 1);
      const runtimes = await Promise.all(processes.flatMap((sdk) => Array.from({ length: 50 }, () => sdk.resolveConnection<SentryRuntime>(id))));
      expect(new Set(runtimes.map((runtime) => runtime.token)).size).toBe(1);
      expect(h.emulator.stats.refreshes).toBe(expiry);
    }
    // Every authorizations call after the install was a successful refresh: no process ever presented the old
    // refresh token (which Sentry would have answered with 400 "Given refresh token does not exist").
    expect(h.emulator.stats.tokenCalls).toBe(1 + 3);
    expect(h.emulator.log.filter((entry) => entry.route === "authorizations").map((entry) => entry.status)).toEqual([201, 201, 201, 201]);
    expect((await h.sdk.getConnection(id)).status).toBe("active");
  });

  it("a refresh that timed out is not retried (Sentry may already have rotated); a lost answer is the documented one window", async () => {
    const h = await start({ provider: { timeoutMs: 100 } });
    const needsReauth: string[] = [];
    h.sdk.events.on("connection.needs_reauth", (event) => needsReauth.push(event.integration_id));
    const { id } = await h.connect();
    h.clock.advance(EIGHT_HOURS);
    h.emulator.resetCounters();
    h.emulator.fault("authorizations", { kind: "delay", ms: 300 }, 1);
    const error = await h.sdk.resolveConnection(id).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "provider_unavailable")).toBe(true);
    expect((error as SdkError).details).toMatchObject({ reason: "timeout", attempts: 1 });
    expect(h.emulator.counters.authorizations).toBe(1);
    expect((await h.sdk.getConnection(id)).status).toBe("active");

    // The emulator answered after the deadline: it rotated and deleted the token the SDK still holds. Sentry
    // offers no reuse window, so the next refresh is refused and the installation must be connected again.
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(h.emulator.stats.refreshes).toBe(1);
    h.clock.advance(5000);
    expect(await codeOf(h.sdk.resolveConnection(id))).toBe("reauth_required");
    expect((await h.sdk.getConnection(id)).status).toBe("needs_reauth");
    expect(needsReauth).toEqual([id]);
  });

  it("retries a 5xx that never reached Sentry's handler, then refreshes once", async () => {
    const h = await start();
    const { id } = await h.connect();
    h.clock.advance(EIGHT_HOURS);
    h.emulator.resetCounters();
    h.emulator.fault("authorizations", { kind: "status", status: 502, body: { detail: "Bad gateway" } }, 1);
    await h.sdk.resolveConnection(id);
    expect(h.emulator.counters.authorizations).toBe(2);
    expect(h.emulator.stats.refreshes).toBe(1);
  });

  it("429 with a long Retry-After is provider_rate_limited and leaves the record untouched", async () => {
    const h = await start();
    const { id } = await h.connect();
    h.clock.advance(EIGHT_HOURS);
    h.emulator.fault("authorizations", { kind: "rate_limit", retryAfterSeconds: 60, body: { detail: "Request was throttled." } }, 1);
    const error = await h.sdk.resolveConnection(id).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "provider_rate_limited")).toBe(true);
    expect((error as SdkError).details.retry_after_ms).toBe(60_000);
    expect((await h.sdk.getConnection(id)).status).toBe("active");
  });

  it("a refresh token Sentry no longer knows is reauth_required and marks the record needs_reauth", async () => {
    const h = await start({ emulator: { refreshTokenTtlMs: EIGHT_HOURS } });
    const failed: string[] = [];
    h.sdk.events.on("token.refresh_failed", (event) => failed.push(event.code));
    const { id } = await h.connect();
    h.clock.advance(EIGHT_HOURS);
    const error = await h.sdk.resolveConnection(id).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "reauth_required")).toBe(true);
    expect((error as SdkError).details).toEqual({ provider: "sentry", status: 400, provider_error: "refresh_token_not_found" });
    expect((await h.sdk.getConnection(id)).status).toBe("needs_reauth");
    expect(failed).toEqual(["reauth_required"]);
    expect(await codeOf(h.sdk.resolveConnection(id))).toBe("reauth_required");
    expect(h.emulator.stats.tokenCalls).toBe(2);
  });

  it("an uninstalled installation (404) is reauth_required", async () => {
    const h = await start();
    const { id, installationId } = await h.connect();
    h.emulator.uninstall(installationId);
    h.clock.advance(EIGHT_HOURS);
    const error = await h.sdk.resolveConnection(id).catch((caught: unknown) => caught);
    expect((error as SdkError).details).toMatchObject({ status: 404, provider_error: "installation_not_found" });
    expect((await h.sdk.getConnection(id)).status).toBe("needs_reauth");
  });

  it("a wrong client secret on refresh is invalid_client and keeps the record active", async () => {
    const h = await start();
    const { id } = await h.connect();
    const misconfigured = h.process({ clientSecret: "rotated-away-secret" });
    h.clock.advance(EIGHT_HOURS);
    expect(await codeOf(misconfigured.resolveConnection(id))).toBe("invalid_client");
    expect((await h.sdk.getConnection(id)).status).toBe("active");
    h.clock.advance(5000);
    await expect(h.sdk.resolveConnection(id)).resolves.toMatchObject({ integration_id: id });
  });

  it("a malformed authorizations answer is provider_response_invalid naming the field", async () => {
    const h = await start();
    const { id } = await h.connect();
    h.clock.advance(EIGHT_HOURS);
    h.emulator.fault("authorizations", { kind: "status", status: 201, body: { token: "t", expiresAt: "soon" } }, 1);
    const error = await h.sdk.resolveConnection(id).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "provider_response_invalid")).toBe(true);
    expect((error as SdkError).details.field).toBe("refreshToken");
  });

  it("sdk.fetch: a 401 drops the cached token, refreshes once and retries once", async () => {
    const h = await start();
    const { id } = await h.connect();
    const before = await h.sdk.resolveConnection<SentryRuntime>(id);
    h.emulator.fault("projects", { kind: "status", status: 401, body: { detail: "Invalid token" } }, 1);
    const response = await h.sdk.fetch(id, "/api/0/organizations/acme/projects/");
    expect(response.status).toBe(200);
    expect(h.emulator.stats.refreshes).toBe(1);
    expect((await h.sdk.resolveConnection<SentryRuntime>(id)).token).not.toBe(before.token);
  });
});
