import { describe, expect, it } from "vitest";
import { runCacheStoreContract } from "./run-cache-store-contract.js";
import { MemoryCache } from "./memory-cache.js";

runCacheStoreContract("MemoryCache", async () => {
  let now = 1_000_000;
  const cache = new MemoryCache({ now: () => now });
  return {
    cache,
    raw: { get: (key) => cache.get(key), ttlMs: async (key) => cache.ttlOf(key) },
    advance: async (ms) => {
      now += ms;
    },
  };
});

describe("MemoryCache memory bound", () => {
  it("evicts expired keys on a later write, without anyone reading them", async () => {
    let now = 0;
    const cache = new MemoryCache({ now: () => now, sweepIntervalMs: 1000 });
    for (let index = 0; index < 1000; index++) await cache.set(`k${index}`, "v", 500);
    expect(cache.size).toBe(1000);
    now += 2000;
    await cache.set("fresh", "v", 10_000);
    expect(cache.size).toBe(1);
  });

  it("rejects a TTL that is not a positive integer", async () => {
    const cache = new MemoryCache();
    await expect(cache.set("k", "v", 0)).rejects.toMatchObject({ code: "validation_failed" });
    await expect(cache.set("k", "v", 1.5)).rejects.toMatchObject({ code: "validation_failed" });
  });
});
