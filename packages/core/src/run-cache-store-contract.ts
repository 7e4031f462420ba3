// The CacheStore contract as a reusable vitest suite. The harness brings a clock it can advance (a virtual one for
// MemoryCache, real waiting for Redis) and a `raw` reader that checks values and TTLs in the engine itself.
import { describe, expect, it } from "vitest";
import type { CacheStore } from "./cache-store.js";

export interface CacheStoreHarness {
  cache: CacheStore;
  raw: {
    get(key: string): Promise<string | undefined>;
    /** Remaining TTL in milliseconds as the engine reports it, undefined for a missing key. */
    ttlMs(key: string): Promise<number | undefined>;
  };
  /** Moves time forward by `ms` for this cache (virtual clock, or real waiting). */
  advance(ms: number): Promise<void>;
  cleanup?(): Promise<void>;
}

export interface CacheStoreContractOptions {
  skipReason?: string;
}

async function withHarness(factory: () => Promise<CacheStoreHarness>, run: (harness: CacheStoreHarness) => Promise<void>) {
  const harness = await factory();
  try {
    await run(harness);
  } finally {
    await harness.cleanup?.();
  }
}

const unique = (label: string) => `contract:${label}:${process.pid}:${Math.random().toString(36).slice(2)}`;

export function runCacheStoreContract(name: string, factory: () => Promise<CacheStoreHarness>, options: CacheStoreContractOptions = {}): void {
  const suite = options.skipReason ? describe.skip : describe;
  suite(`CacheStore contract: ${name}${options.skipReason ? ` (skipped: ${options.skipReason})` : ""}`, () => {
    it("sets, gets and deletes", () =>
      withHarness(factory, async ({ cache, raw }) => {
        const key = unique("basic");
        expect(await cache.get(key)).toBeUndefined();
        await cache.set(key, "välue ✓ {\"json\":true}", 60_000);
        expect(await cache.get(key)).toBe("välue ✓ {\"json\":true}");
        expect(await raw.get(key)).toBe("välue ✓ {\"json\":true}");
        await cache.delete(key);
        expect(await cache.get(key)).toBeUndefined();
        expect(await raw.get(key)).toBeUndefined();
      }));

    it("honours the TTL in milliseconds: set in the engine, gone after it passes", () =>
      withHarness(factory, async ({ cache, raw, advance }) => {
        const key = unique("ttl");
        await cache.set(key, "short", 300);
        const ttl = await raw.ttlMs(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(300);
        await advance(450);
        expect(await cache.get(key)).toBeUndefined();
        expect(await raw.get(key)).toBeUndefined();
      }));

    it("setIfAbsent: of 50 concurrent callers exactly one wins and its value stays", () =>
      withHarness(factory, async ({ cache }) => {
        const key = unique("nx");
        const results = await Promise.all(Array.from({ length: 50 }, (_, index) => cache.setIfAbsent(key, `owner-${index}`, 60_000)));
        const winners = results.flatMap((won, index) => (won ? [index] : []));
        expect(winners).toHaveLength(1);
        expect(await cache.get(key)).toBe(`owner-${winners[0]}`);
      }));

    it("setIfAbsent succeeds again once the previous value expired, with its own TTL", () =>
      withHarness(factory, async ({ cache, raw, advance }) => {
        const key = unique("nx-expiry");
        expect(await cache.setIfAbsent(key, "first", 300)).toBe(true);
        expect(await cache.setIfAbsent(key, "second", 300)).toBe(false);
        await advance(450);
        expect(await cache.setIfAbsent(key, "third", 60_000)).toBe(true);
        expect(await cache.get(key)).toBe("third");
        expect(await raw.ttlMs(key)).toBeGreaterThan(1000);
      }));

    it("deleteIfEquals releases only for the owner", () =>
      withHarness(factory, async ({ cache, raw }) => {
        const key = unique("lock");
        await cache.set(key, "owner-a", 60_000);
        expect(await cache.deleteIfEquals(key, "owner-b")).toBe(false);
        expect(await raw.get(key)).toBe("owner-a");
        expect(await cache.deleteIfEquals(key, "owner-a")).toBe(true);
        expect(await raw.get(key)).toBeUndefined();
        expect(await cache.deleteIfEquals(key, "owner-a")).toBe(false);
      }));

    it("waitFor wakes on a write or delete by another caller and times out otherwise", () =>
      withHarness(factory, async ({ cache }) => {
        if (!cache.waitFor) {
          expect(cache.waitFor).toBeUndefined();
          return;
        }
        const key = unique("wait");
        const woken = cache.waitFor(key, 5_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await cache.set(key, "ready", 60_000);
        expect(await woken).toBe(true);
        const released = cache.waitFor(key, 5_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await cache.deleteIfEquals(key, "ready");
        expect(await released).toBe(true);
        const stop = new AbortController();
        const abandoned = cache.waitFor(unique("aborted"), 5_000, stop.signal);
        stop.abort();
        expect(await abandoned).toBe(false);
        const started = Date.now();
        expect(await cache.waitFor(unique("never"), 100)).toBe(false);
        expect(Date.now() - started).toBeGreaterThanOrEqual(90);
      }));
  });
}
