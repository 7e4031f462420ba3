import { SdkError } from "@sdk/core";
import { runCacheStoreContract } from "@sdk/core/testing";
import type { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { cacheHarness, connectCluster, connectStandalone, sleep, uniqueName } from "../test/redis-harness.js";
import type { RedisClient } from "./redis-client.js";
import { RedisCache } from "./redis-cache.js";

const { url, clusterNodes } = inject("redis");
const clusterSkipReason = clusterNodes.length > 0 ? undefined : "needs redis-server to start a local Redis Cluster";

let standalone: Redis;
let standaloneOther: Redis;
let cluster: Cluster | undefined;
let clusterOther: Cluster | undefined;

beforeAll(async () => {
  standalone = await connectStandalone(url);
  standaloneOther = await connectStandalone(url);
  if (clusterNodes.length > 0) {
    cluster = await connectCluster(clusterNodes);
    clusterOther = await connectCluster(clusterNodes);
  }
});

afterAll(async () => {
  await Promise.all([standalone, standaloneOther, cluster, clusterOther].map((client) => client?.quit()));
});

runCacheStoreContract("RedisCache on standalone Redis", async () => cacheHarness(standalone));
runCacheStoreContract("RedisCache on a 3-master Redis Cluster", async () => cacheHarness(cluster!), { skipReason: clusterSkipReason });

function crossInstanceTests(connections: () => [RedisClient, RedisClient]) {
  it("waitFor is woken by pub/sub, not polling, when another RedisCache on another connection writes or deletes", async () => {
    const [first, second] = connections();
    const waiting = new RedisCache(first);
    const writing = new RedisCache(second);
    try {
      const key = uniqueName("wake");
      const started = Date.now();
      const woken = waiting.waitFor(key, 10_000);
      await sleep(100);
      await writing.set(key, "token", 60_000);
      expect(await woken).toBe(true);
      // Far below the 10 s timeout: the wake-up came from the write, not from a timer.
      expect(Date.now() - started).toBeLessThan(2_000);

      const released = waiting.waitFor(key, 10_000);
      await sleep(100);
      expect(await writing.deleteIfEquals(key, "token")).toBe(true);
      expect(await released).toBe(true);
    } finally {
      await Promise.all([waiting.dispose(), writing.dispose()]);
    }
  });

  it("waitFor catches a write sent right after it, while its subscription is still being set up", async () => {
    const [first] = connections();
    const waiting = new RedisCache(first);
    // Another instance on the same client: its SET is ordered after the wait's first read on that connection.
    const writing = new RedisCache(first);
    try {
      const key = uniqueName("race");
      // No pause: the write races the first SUBSCRIBE of a brand-new subscriber connection.
      const woken = waiting.waitFor(key, 5_000);
      await writing.set(key, "token", 60_000);
      expect(await woken).toBe(true);
    } finally {
      await Promise.all([waiting.dispose(), writing.dispose()]);
    }
  });
}

describe("RedisCache across instances on standalone Redis", () => {
  crossInstanceTests(() => [standalone, standaloneOther]);
});

describe.skipIf(clusterSkipReason !== undefined)(`RedisCache across instances on a Redis Cluster${clusterSkipReason ? ` (skipped: ${clusterSkipReason})` : ""}`, () => {
  crossInstanceTests(() => [cluster!, clusterOther!]);
});

describe("RedisCache ownership and options", () => {
  it("dispose() ends pending waits and closes only the subscriber it duplicated, never the caller's client", async () => {
    const cache = new RedisCache(standalone);
    const pending = cache.waitFor(uniqueName("pending"), 10_000);
    await sleep(100);
    await cache.dispose();
    expect(await pending).toBe(false);
    expect(standalone.status).toBe("ready");
    expect(await standalone.ping()).toBe("PONG");
    const error = await cache.waitFor("any", 10).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "misconfigured")).toBe(true);
  });

  it("subscribes to a key's channel only while someone waits for it", async () => {
    const cache = new RedisCache(standalone);
    const key = uniqueName("channel");
    const channel = `sdk:cache:wake:${key}`;
    const numsub = async () => Number(((await standalone.pubsub("NUMSUB", channel)) as [string, number])[1]);
    const first = cache.waitFor(key, 10_000);
    const second = cache.waitFor(key, 10_000);
    await sleep(100);
    expect(await numsub()).toBe(1);
    await cache.set(key, "v", 60_000);
    expect(await Promise.all([first, second])).toEqual([true, true]);
    await sleep(50);
    expect(await numsub()).toBe(0);
    await cache.dispose();
  });

  it("waitFor ends with false when its AbortSignal aborts, and leaves the channel", async () => {
    const cache = new RedisCache(standalone);
    const key = uniqueName("abort");
    const stop = new AbortController();
    const started = Date.now();
    const waiting = cache.waitFor(key, 10_000, stop.signal);
    await sleep(100);
    stop.abort();
    expect(await waiting).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await cache.waitFor(key, 10_000, stop.signal)).toBe(false);
    await sleep(50);
    expect(((await standalone.pubsub("NUMSUB", `sdk:cache:wake:${key}`)) as [string, number])[1]).toBe(0);
    await cache.dispose();
  });

  it("puts keyPrefix in front of every key", async () => {
    const prefix = `${uniqueName("prefix")}:`;
    const cache = new RedisCache(standalone, { keyPrefix: prefix });
    await cache.set("k", "v", 60_000);
    expect(await standalone.get(`${prefix}k`)).toBe("v");
    expect(await standalone.get("k")).toBeNull();
    expect(await cache.setIfAbsent("k", "other", 60_000)).toBe(false);
    expect(await cache.deleteIfEquals("k", "v")).toBe(true);
    expect(await standalone.exists(`${prefix}k`)).toBe(0);
    await cache.dispose();
  });

  it("rejects a TTL that is not a positive integer and writes nothing", async () => {
    const cache = new RedisCache(standalone);
    const key = uniqueName("bad-ttl");
    for (const ttl of [0, -5, 1.5, Number.NaN]) {
      await expect(cache.set(key, "v", ttl)).rejects.toMatchObject({ code: "validation_failed" });
      await expect(cache.setIfAbsent(key, "v", ttl)).rejects.toMatchObject({ code: "validation_failed" });
    }
    expect(await standalone.exists(key)).toBe(0);
    await cache.dispose();
  });
});
