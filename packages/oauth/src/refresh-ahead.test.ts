// Refresh-ahead in one process (the multi-process proof is tooling/reliability's refresh-ahead test): a token inside
// its window is handed out at once while one background refresh replaces it; a failed background refresh is an event
// and the next caller retries; 0 turns it off; a provider that revokes the old token at a refresh refuses it.
import { SdkError, type SdkEventMap } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { CredentialCipher } from "@sdk/core/provider-kit";
import { ENCRYPTION, groupOptions, startHarness, type Harness } from "../test/harness.js";
import { defineOAuthProvider } from "./define-oauth-provider.js";

// The emulator's tokens live 3600 s; with the default 60 s skew and 300 s window, the window opens 360 s before expiry.
const INTO_WINDOW_MS = (3600 - 360 + 1) * 1000;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** The next payload of `name`, or an error after `ms`. */
function nextEvent<E extends "token.refreshed" | "token.refresh_failed">(h: Harness, name: E, ms = 5000): Promise<SdkEventMap[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} within ${ms} ms`)), ms);
    const off = h.sdk.events.on(name, (payload) => {
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

describe("refresh-ahead", () => {
  it("hands out the current token inside the window while exactly one background refresh replaces it", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await h.install();
    const installed = await h.sdk.resolveConnection(integrationId);
    h.clock.advance(INTO_WINDOW_MS - 2000);
    // Just before the window: nothing happens.
    expect((await h.sdk.resolveConnection(integrationId)).access_token).toBe(installed.access_token);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.server.stats.refreshes).toBe(0);

    h.clock.advance(2000);
    const refreshed = nextEvent(h, "token.refreshed");
    // 100 concurrent callers in the window: all get the current token at once, one refresh starts.
    const answers = await Promise.all(Array.from({ length: 100 }, () => h.sdk.resolveConnection(integrationId)));
    expect(new Set(answers.map((answer) => answer.access_token))).toEqual(new Set([installed.access_token]));
    await refreshed;
    expect(h.server.stats.refreshes).toBe(1);
    const after = await h.sdk.resolveConnection(integrationId);
    expect(after.access_token).not.toBe(installed.access_token);
    expect(Date.parse(String(after.expires_at))).toBeGreaterThan(Date.parse(String(installed.expires_at)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.server.stats.refreshes).toBe(1);
    // The provider assumption it relies on: the old token still works at the API until its own expiry.
    const me = await fetch(h.server.apiUrl, { headers: { authorization: `Bearer ${installed.access_token}` } });
    expect(me.status).toBe(200);
  });

  it("reports a failed background refresh as an event, keeps serving the token, and the next caller retries", async () => {
    const h = (harness = await startHarness({ provider: { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } } }));
    const { integrationId } = await h.install();
    const installed = await h.sdk.resolveConnection(integrationId);
    h.clock.advance(INTO_WINDOW_MS);
    h.server.fault("token", { kind: "status", status: 503, body: { error: "temporarily_unavailable" } }, 1);
    const failed = nextEvent(h, "token.refresh_failed");
    expect((await h.sdk.resolveConnection(integrationId)).access_token).toBe(installed.access_token);
    const failure = await failed;
    const tokenCallsAfterFailure = h.server.counters.token ?? 0;
    expect(failure).toMatchObject({ provider: "acme", integration_id: integrationId, code: "provider_unavailable", retryable: true, background: true });
    expect(h.lines.some((line) => line.level === "warn" && line.message.includes("background refresh"))).toBe(true);
    expect(h.server.stats.refreshes).toBe(0);
    // A caller right after the failure does not call the failing provider again (the failure is remembered for 2 s)...
    expect((await h.sdk.resolveConnection(integrationId)).access_token).toBe(installed.access_token);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.server.counters.token ?? 0).toBe(tokenCallsAfterFailure);
    // ...nor one after this process's own 1 s pause, while the failure is still remembered...
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await h.sdk.resolveConnection(integrationId)).access_token).toBe(installed.access_token);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.server.counters.token ?? 0).toBe(tokenCallsAfterFailure);
    // ...and the next caller after both (the memory's 2 s on the SDK clock, the pause's 1 s on the wall clock) tries
    // again, and this time the provider answers.
    h.clock.advance(2000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const refreshed = nextEvent(h, "token.refreshed");
    expect((await h.sdk.resolveConnection(integrationId)).access_token).toBe(installed.access_token);
    await refreshed;
    expect(h.server.stats.refreshes).toBe(1);
    expect((await h.sdk.resolveConnection(integrationId)).access_token).not.toBe(installed.access_token);
  });

  it("sdk.close() settles a running background refresh (its rotated token stored) and starts no new one", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await h.install();
    const installed = await h.sdk.resolveConnection(integrationId);
    const storedBefore = (await h.store.get(integrationId))!.version;
    h.clock.advance(INTO_WINDOW_MS);
    h.server.fault("token", { kind: "delay", ms: 200 }, 1);
    expect((await h.sdk.resolveConnection(integrationId)).access_token).toBe(installed.access_token);
    await h.sdk.close();
    // The refresh that was at the provider when close() was called has finished: rotated token in the record.
    expect(h.server.stats.refreshes).toBe(1);
    expect((await h.store.get(integrationId))!.version).toBeGreaterThan(storedBefore);
    const record = (await h.store.get(integrationId))!;
    const stored = new CredentialCipher(ENCRYPTION.keys).decrypt(record, "refresh_token", record.credentials.refresh_token) as string;
    expect(h.server.refreshTokenState(stored)).toBe("current");
    // Closed: a resolve in the window hands out the token and starts nothing.
    h.clock.advance(INTO_WINDOW_MS);
    await h.sdk.resolveConnection(integrationId).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.server.stats.refreshes).toBe(1);
  });

  it("a grant that died in the background marks the connection needs_reauth; callers then get reauth_required", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await h.install();
    await h.sdk.resolveConnection(integrationId);
    h.server.revokeUser("user-1");
    h.clock.advance(INTO_WINDOW_MS);
    const failed = nextEvent(h, "token.refresh_failed");
    await h.sdk.resolveConnection(integrationId);
    expect(await failed).toMatchObject({ code: "reauth_required", background: true });
    expect((await h.sdk.getConnection(integrationId)).status).toBe("needs_reauth");
    const error = await h.sdk.resolveConnection(integrationId).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "reauth_required")).toBe(true);
  });

  it("refreshAheadSeconds 0 turns it off: the token is refreshed at the skew, by a caller that waits", async () => {
    const h = (harness = await startHarness({ provider: { refreshAheadSeconds: 0 } }));
    const { integrationId } = await h.install();
    const installed = await h.sdk.resolveConnection(integrationId);
    h.clock.advance(INTO_WINDOW_MS + 200_000);
    expect((await h.sdk.resolveConnection(integrationId)).access_token).toBe(installed.access_token);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.server.stats.refreshes).toBe(0);
    h.clock.advance(100_000); // past the skew (60 s before expiry)
    expect((await h.sdk.resolveConnection(integrationId)).access_token).not.toBe(installed.access_token);
    expect(h.server.stats.refreshes).toBe(1);
  });

  it("never opens the window before half a token's lifetime", async () => {
    // 600 s tokens, 60 s skew, 300 s asked: the window is capped to 240 s (it opens at 300 s, half the lifetime).
    const h = (harness = await startHarness({ server: { accessTokenTtlSeconds: 600 } }));
    const { integrationId } = await h.install();
    await h.sdk.resolveConnection(integrationId);
    h.clock.advance(299_000);
    await h.sdk.resolveConnection(integrationId);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.server.stats.refreshes).toBe(0);
    h.clock.advance(2000);
    const refreshed = nextEvent(h, "token.refreshed");
    await h.sdk.resolveConnection(integrationId);
    await refreshed;
    expect(h.server.stats.refreshes).toBe(1);
  });

  it("is misconfigured for a provider that revokes the old access token at a refresh", async () => {
    const h = (harness = await startHarness());
    const base = { ...h.providerOptions, id: "strict" };
    const define = (tuning: Record<string, unknown>) => () => defineOAuthProvider({ ...base, tuning: { ...base.tuning, ...tuning } });
    const error = (() => {
      try {
        define({ accessTokenOutlivesRefresh: false, refreshAheadSeconds: 120 })();
      } catch (caught) {
        return caught;
      }
    })();
    expect(SdkError.is(error, "misconfigured")).toBe(true);
    expect((error as SdkError).message).toContain("refreshAheadSeconds");
    expect(define({ accessTokenOutlivesRefresh: false })).not.toThrow();
    expect(define({ accessTokenOutlivesRefresh: false, refreshAheadSeconds: 0 })).not.toThrow();
    expect(groupOptions({ id: "x", refreshAheadSeconds: 5 } as never)).toMatchObject({ tuning: { refreshAheadSeconds: 5 } });
  });
});
