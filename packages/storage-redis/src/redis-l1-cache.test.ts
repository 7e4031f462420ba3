// The optional L1 of RedisCache: the CacheStore contract with the L1 on every key and with the default (access
// tokens only), then what the L1 promises across two instances on two connections: served from memory, forgotten
// on any write through another instance, bounded by TTL, maxTtlMs and maxEntries, never used for locks, and
// switched off while its subscription is down.
import { SdkError } from "@sdk/core";
import { runCacheStoreContract } from "@sdk/core/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cacheHarness, connectCluster, connectStandalone, sleep, uniqueName } from "../test/redis-harness.js";
import { failFastRedisOptions } from "./redis-client.js";
import { RedisCache } from "./redis-cache.js";

const { url, clusterNodes } = inject("redis");
const clusterSkipReason = clusterNodes.length > 0 ? undefined : "needs redis-server to start a local Redis Cluster";

let first: Redis;
let second: Redis;
let raw: Redis;
const connectionName = uniqueName("l1-test");

beforeAll(async () => {
  first = new Redis(url, { ...failFastRedisOptions, lazyConnect: true, connectionName });
  first.on("error", () => undefined);
  await first.connect();
  second = await connectStandalone(url);
  raw = await connectStandalone(url);
});
afterAll(async () => {
  await Promise.all([first, second, raw].map((client) => client?.quit()));
});

runCacheStoreContract("RedisCache with an L1 on every key", async () => cacheHarness(first, { l1: { maxEntries: 1000, maxTtlMs: 60_000, keys: /./ } }));
runCacheStoreContract("RedisCache with the default L1 (access-token keys)", async () => cacheHarness(first, { l1: { maxEntries: 1000, maxTtlMs: 60_000 } }));
runCacheStoreContract(
  "RedisCache with an L1 on every key, on a Redis Cluster",
  async () => {
    const cluster = await connectCluster(clusterNodes);
    const harness = cacheHarness(cluster, { l1: { maxEntries: 1000, maxTtlMs: 60_000, keys: /./ } });
    return { ...harness, cleanup: async () => {
      await harness.cleanup?.();
      await cluster.quit();
    } };
  },
  { skipReason: clusterSkipReason },
);

const tokenKey = () => `integration:acme:${uniqueName("int")}:app_user:acct-1:access_token`;

/**
 * Reads until the L1 serves `key` from memory: proven by a raw SET (no wake-up) that the next read does not see.
 * The value is put back through a RedisCache without L1, whose wake-up clears whatever the probe left in memory.
 */
async function warm(cache: RedisCache, key: string, expected: string): Promise<void> {
  const restorer = new RedisCache(raw);
  try {
    // The subscription of a new cache takes a moment to be confirmed; until then every read goes to Redis.
    for (const begun = Date.now(); Date.now() - begun < 3000; await sleep(10)) {
      expect(await cache.get(key)).toBe(expected);
      await raw.set(key, "raw-probe", "PX", 60_000);
      const seen = await cache.get(key);
      if (seen === expected) {
        await raw.set(key, expected, "PX", 60_000);
        return;
      }
      await restorer.set(key, expected, 60_000);
      for (const begun = Date.now(); (await cache.get(key)) !== expected; await sleep(5)) expect(Date.now() - begun).toBeLessThan(1000);
    }
    throw new Error("the L1 never served the key from memory");
  } finally {
    await restorer.dispose();
  }
}

describe("RedisCache L1 across instances", () => {
  it("serves a key from memory and forgets it when another instance writes or deletes it", async () => {
    const reader = new RedisCache(first, { l1: { maxEntries: 100, maxTtlMs: 60_000 } });
    const writer = new RedisCache(second, { l1: { maxEntries: 100, maxTtlMs: 60_000 } });
    try {
      const key = tokenKey();
      await writer.set(key, "v1", 60_000);
      await warm(reader, key, "v1");
      const started = Date.now();
      await writer.set(key, "v2", 60_000);
      while ((await reader.get(key)) !== "v2") {
        expect(Date.now() - started).toBeLessThan(1000);
        await sleep(5);
      }
      await warm(reader, key, "v2");
      await writer.delete(key);
      while ((await reader.get(key)) !== undefined) {
        expect(Date.now() - started).toBeLessThan(2000);
        await sleep(5);
      }
      // deleteIfEquals and setIfAbsent invalidate too.
      await writer.set(key, "v3", 60_000);
      await warm(reader, key, "v3");
      expect(await writer.deleteIfEquals(key, "v3")).toBe(true);
      expect(await writer.setIfAbsent(key, "v4", 60_000)).toBe(true);
      for (const begun = Date.now(); (await reader.get(key)) !== "v4"; await sleep(5)) expect(Date.now() - begun).toBeLessThan(1000);
      // Its own writes are visible at once (read-your-writes), no wake-up needed.
      await reader.set(key, "v5", 60_000);
      expect(await reader.get(key)).toBe("v5");
    } finally {
      await Promise.all([reader.dispose(), writer.dispose()]);
    }
  });

  it("never serves keys it does not cover (locks, nonces) from memory", async () => {
    const reader = new RedisCache(first, { l1: { maxEntries: 100, maxTtlMs: 60_000 } });
    try {
      const access = tokenKey();
      const lock = access.replace(/access_token$/, "refresh_lock");
      const nonce = `sdk:state:${uniqueName("nonce")}`;
      await reader.set(access, "token", 60_000);
      await warm(reader, access, "token");
      for (const key of [lock, nonce]) {
        await raw.set(key, "a", "PX", 60_000);
        expect(await reader.get(key)).toBe("a");
        await raw.set(key, "b", "PX", 60_000);
        expect(await reader.get(key)).toBe("b");
      }
    } finally {
      await reader.dispose();
    }
  });

  it("keeps an entry no longer than maxTtlMs, nor than the key lives in Redis, and at most maxEntries", async () => {
    const capped = new RedisCache(first, { l1: { maxEntries: 2, maxTtlMs: 300 } });
    try {
      const key = tokenKey();
      await capped.set(key, "memory", 60_000);
      await warm(capped, key, "memory");
      await raw.set(key, "changed-behind-its-back", "PX", 60_000);
      expect(await capped.get(key)).toBe("memory");
      await sleep(350);
      expect(await capped.get(key)).toBe("changed-behind-its-back");

      const short = tokenKey();
      await capped.set(short, "short-lived", 150);
      expect(await capped.get(short)).toBe("short-lived");
      expect(await capped.get(short)).toBe("short-lived");
      await sleep(200);
      expect(await capped.get(short)).toBeUndefined();

      const [a, b, c] = [tokenKey(), tokenKey(), tokenKey()];
      for (const each of [a, b, c]) {
        await capped.set(each, "x", 60_000);
        await warm(capped, each, "x");
      }
      // `a` was the least recently used of three in a 2-entry L1: it is read from Redis again.
      await raw.set(a, "from-redis", "PX", 60_000);
      expect(await capped.get(a)).toBe("from-redis");
    } finally {
      await capped.dispose();
    }
  });

  it("stops serving from memory as soon as its subscription drops, and resumes once it is back", async () => {
    const reader = new RedisCache(first, { l1: { maxEntries: 100, maxTtlMs: 60_000 } });
    try {
      const key = tokenKey();
      await reader.set(key, "before", 60_000);
      await warm(reader, key, "before");
      // Kill only this cache's subscriber: it inherits the connection name of `first` and is the one in pattern mode.
      const clients = (await raw.client("LIST")) as string;
      const ids = clients.split("\n").filter((line) => line.includes(`name=${connectionName}`) && / psub=[1-9]/.test(line)).map((line) => /id=(\d+)/.exec(line)![1]!);
      expect(ids).toHaveLength(1);
      await raw.set(key, "written-while-deaf", "PX", 60_000);
      await raw.client("KILL", "ID", ids[0]!);
      const started = Date.now();
      while ((await reader.get(key)) !== "written-while-deaf") {
        expect(Date.now() - started).toBeLessThan(1000);
        await sleep(5);
      }
      // Back: reconnected, pattern confirmed, served from memory again, and invalidated by writes again.
      await warm(reader, key, "written-while-deaf");
      const writer = new RedisCache(second);
      await writer.set(key, "after", 60_000);
      for (const begun = Date.now(); (await reader.get(key)) !== "after"; await sleep(5)) expect(Date.now() - begun).toBeLessThan(2000);
    } finally {
      await reader.dispose();
    }
  });

  it("rejects l1 options that are not positive integers", () => {
    for (const l1 of [{ maxEntries: 0, maxTtlMs: 1000 }, { maxEntries: 10, maxTtlMs: -1 }, { maxEntries: 1.5, maxTtlMs: 1000 }, { maxEntries: 10, maxTtlMs: 1000, keys: "access_token" }]) {
      const error = (() => {
        try {
          return new RedisCache(first, { l1: l1 as never });
        } catch (caught) {
          return caught;
        }
      })();
      expect(SdkError.is(error, "misconfigured")).toBe(true);
    }
  });
});

describe("RedisL1Cache bookkeeping (no Redis)", () => {
  it("drops a read that was in flight when its key changed or the subscription dropped, and serves nothing before resume()", async () => {
    const { RedisL1Cache } = await import("./redis-l1-cache.js");
    const l1 = new RedisL1Cache({ maxEntries: 10, maxTtlMs: 1000 });
    const before = l1.begin("k");
    l1.complete("k", before, "v", 5000, 0);
    expect(l1.read("k", 1)).toBeUndefined();
    l1.resume();
    const raced = l1.begin("k");
    l1.invalidate("k");
    l1.complete("k", raced, "old", 5000, 0);
    expect(l1.read("k", 1)).toBeUndefined();
    const clean = l1.begin("k");
    l1.complete("k", clean, "new", 5000, 0);
    expect(l1.read("k", 999)).toBe("new");
    expect(l1.read("k", 1000)).toBeUndefined();
    const dropped = l1.begin("k");
    l1.suspend();
    l1.resume();
    l1.complete("k", dropped, "during-outage", 5000, 0);
    expect(l1.read("k", 1)).toBeUndefined();
    expect(l1.covers("integration:acme:1:app_user:a:access_token")).toBe(true);
    expect(l1.covers("integration:slack:1:app_user:a:user_access_token")).toBe(true);
    expect(l1.covers("integration:acme:1:app_user:a:refresh_lock")).toBe(false);
    expect(l1.covers("sdk:state:nonce")).toBe(false);
  });
});

describe("RedisL1Cache default keys", () => {
  it("covers exactly what DEFAULT_L1_KEYS matches (its fast path skips the regex)", async () => {
    const { DEFAULT_L1_KEYS, RedisL1Cache } = await import("./redis-l1-cache.js");
    const l1 = new RedisL1Cache({ maxEntries: 10, maxTtlMs: 1000 });
    const named = [
      "integration:acme:id-1:app_user:acct-1:access_token",
      "integration:slack:id-1:app_user:acct-1:user_access_token",
      "integration:acme:id-1:app_user:acct-1:refresh_lock",
      "integration:acme:id-1:app_user:acct-1:access_tokens",
      "x:User_access_token",
      "x:us-er_access_token",
      "x:a_b_access_token",
      "x:_access_token",
      "x_access_token",
      ":access_token",
      "access_token",
    ];
    // And keys built at random from the characters that matter, most of them ending like an access-token key.
    const alphabet = ":_ab1Z-";
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const built = Array.from({ length: 20_000 }, () => {
      let key = "";
      for (let length = Math.floor(random() * 12); length > 0; length--) key += alphabet[Math.floor(random() * alphabet.length)];
      return random() < 0.8 ? `${key}access_token` : key;
    });
    for (const key of [...named, ...built]) expect(l1.covers(key), key).toBe(DEFAULT_L1_KEYS.test(key));
    expect(named.filter((key) => l1.covers(key))).toEqual([...named.slice(0, 2), ":access_token"]);
  });
});
