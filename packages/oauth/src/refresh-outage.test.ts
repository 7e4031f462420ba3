// A store or cache outage between the provider's answer and the write of the rotated refresh token. The provider has
// no reuse window, so presenting the previous token afterwards revokes the grant: the rotated token must be stored.
import { MemoryCache, MemoryStore, SdkError, type CacheStore, type PersistentStore } from "@sdk/core";
import { CredentialCipher } from "@sdk/core/provider-kit";
import { afterEach, describe, expect, it } from "vitest";
import { ENCRYPTION, startHarness, type Harness } from "../test/harness.js";
import { ManualClock } from "./testing/manual-clock.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** The real MemoryStore / MemoryCache behind a switch that makes every call fail as a down Redis would. */
function outage() {
  const state = { store: false, cache: false };
  const down = (code: "store_unavailable" | "cache_unavailable") => new SdkError(code, `test outage (${code})`, { details: { operation: "test" } });
  const switchable = <T extends object>(target: T, kind: "store" | "cache"): T =>
    new Proxy(target, {
      get(object, name) {
        const member = Reflect.get(object, name, object) as unknown;
        if (typeof member !== "function") return member;
        return (...args: unknown[]) => (state[kind] ? Promise.reject(down(kind === "store" ? "store_unavailable" : "cache_unavailable")) : (member as (...a: unknown[]) => unknown).apply(object, args));
      },
    });
  return { state, switchable };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function storedRefreshToken(store: PersistentStore, id: string): Promise<string> {
  const record = await store.get(id);
  return new CredentialCipher(ENCRYPTION.keys).decrypt(record!, "refresh_token", record!.credentials.refresh_token) as string;
}

describe("a rotated refresh token survives a store/cache outage that starts while the provider answers", () => {
  it("the callers get the retryable error at once; the holder keeps the lock and stores the token once the outage ends", async () => {
    const { state, switchable } = outage();
    const memoryStore = new MemoryStore();
    const clock = new ManualClock();
    let takeDownOnAnswer = false;
    const h = (harness = await startHarness({
      clock,
      server: { reuseWindowMs: 0 },
      provider: { refreshReuseWindow: false, lockLeaseMs: 5000 },
      store: switchable(memoryStore, "store"),
      cache: switchable(new MemoryCache({ now: clock.now }), "cache"),
      fetch: async (url, init) => {
        const response = await fetch(url, init);
        if (takeDownOnAnswer && String(init?.body).includes("grant_type=refresh_token")) {
          state.store = state.cache = true;
          setTimeout(() => (state.store = state.cache = false), 300);
        }
        return response;
      },
    }));
    const { integrationId } = await h.install();
    h.clock.advance(3600 * 1000);
    takeDownOnAnswer = true;
    const started = Date.now();
    const error = await h.sdk.resolveConnection(integrationId).catch((caught: unknown) => caught);
    takeDownOnAnswer = false;
    expect(SdkError.is(error, "store_unavailable") || SdkError.is(error, "cache_unavailable")).toBe(true);
    expect((error as SdkError).retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(250);
    expect(h.server.stats.refreshes).toBe(1);

    // Once the outage is over the token the provider issued is in the record, and the access token in the cache.
    for (let waited = 0; h.server.refreshTokenState(await storedRefreshToken(memoryStore, integrationId)) !== "current"; waited += 50) {
      expect(waited).toBeLessThan(4000);
      await sleep(50);
    }
    h.clock.advance(1);
    const runtime = await h.sdk.resolveConnection(integrationId);
    expect(runtime.access_token).toMatch(/^at_/);
    expect(h.server.stats.refreshes).toBe(1);
    expect(h.lines.some((line) => line.message.startsWith("stored a rotated refresh token after"))).toBe(true);

    // The chain goes on: the next expiry refreshes with the stored token, no reuse, still active.
    h.clock.advance(3600 * 1000);
    await h.sdk.resolveConnection(integrationId);
    expect(h.server.stats.refreshes).toBe(2);
    expect(h.server.stats.reuseDetected).toBe(0);
    expect((await h.sdk.getConnection(integrationId)).status).toBe("active");
  });

  it("a cache that is down while the store is up does not stop the record write (the journal is an extra, not a gate)", async () => {
    const { state, switchable } = outage();
    const memoryStore = new MemoryStore();
    const clock = new ManualClock();
    let takeDownOnAnswer = false;
    harness = await startHarness({
      clock,
      server: { reuseWindowMs: 0 },
      provider: { refreshReuseWindow: false },
      store: memoryStore,
      cache: switchable(new MemoryCache({ now: clock.now }), "cache") as CacheStore,
      fetch: async (url, init) => {
        const response = await fetch(url, init);
        if (takeDownOnAnswer && String(init?.body).includes("grant_type=refresh_token")) state.cache = true;
        return response;
      },
    });
    const { integrationId } = await harness.install();
    harness.clock.advance(3600 * 1000);
    takeDownOnAnswer = true;
    await expect(harness.sdk.resolveConnection(integrationId)).rejects.toMatchObject({ code: "cache_unavailable", retryable: true });
    // Stored before the answer reached the caller, with the cache still down.
    expect(harness.server.refreshTokenState(await storedRefreshToken(memoryStore, integrationId))).toBe("current");
    state.cache = false;
    takeDownOnAnswer = false;
    // The release failed with the cache down: the next refresh waits for the lease (45 s) to end.
    harness.clock.advance(46_000);
    await harness.sdk.resolveConnection(integrationId);
    expect(harness.server.stats.refreshes).toBe(2);
    expect(harness.server.stats.reuseDetected).toBe(0);
    expect((await harness.sdk.getConnection(integrationId)).status).toBe("active");
  });
});
