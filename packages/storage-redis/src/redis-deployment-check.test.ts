// The startup checks on real redis-servers: an allkeys-* eviction policy refuses the first call (misconfigured, nothing
// written) unless the risk is accepted; a Redis that renamed CONFIG away gets one stderr warning; a plain client on a
// Cluster node is refused; checkHealth reports the same findings without a key or a value.
import { SdkError } from "@sdk/core";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { startRedisServer, type RedisServerHandle } from "@sdk-tooling/redis-harness";
import { connectCluster, connectStandalone, integrationRecord, uniqueName } from "../test/redis-harness.js";
import { RedisCache } from "./redis-cache.js";
import { RedisStore } from "./redis-store.js";

const { bin, clusterNodes } = inject("redis");
const skipReason = bin ? undefined : "needs the redis-server binary to start Redis servers with their own settings";

async function refusal(call: Promise<unknown>): Promise<SdkError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(SdkError.is(error, "misconfigured")).toBe(true);
  return error as SdkError;
}

/** Lines written to stderr while `run` runs (the warnings are one line each). */
async function stderrOf(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

describe.skipIf(skipReason !== undefined)(`Redis startup checks${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  const servers: RedisServerHandle[] = [];
  const clients: Redis[] = [];
  let evicting: Redis;
  let noConfig: Redis;

  beforeAll(async () => {
    // The save rule is off (startRedisServer's default); AOF on keeps the persistence warning out of the other tests.
    const evictingServer = await startRedisServer({ bin, args: ["--maxmemory-policy", "allkeys-lru", "--appendonly", "yes"] });
    const noConfigServer = await startRedisServer({ bin, args: ["--rename-command", "CONFIG", ""] });
    servers.push(evictingServer, noConfigServer);
    evicting = await connectStandalone(evictingServer.url);
    noConfig = await connectStandalone(noConfigServer.url);
    clients.push(evicting, noConfig);
  }, 30_000);

  afterEach(async () => {
    await evicting.config("SET", "maxmemory-policy", "allkeys-lru");
    await evicting.config("SET", "appendonly", "yes");
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all(servers.map((server) => server.stop()));
  });

  it("refuses allkeys-lru for RedisCache and RedisStore, naming the setting, and writes nothing", async () => {
    const key = uniqueName("integration:jira:int-1:app_user:acct-1:refresh_lock");
    const cacheError = await refusal(new RedisCache(evicting).setIfAbsent(key, "owner", 10_000));
    expect(cacheError.message).toContain('maxmemory-policy is "allkeys-lru"');
    expect(cacheError.message).toContain("refresh locks");
    expect(cacheError.details).toMatchObject({ setting: "maxmemory-policy", value: "allkeys-lru" });
    expect(await evicting.exists(key)).toBe(0);

    const store = new RedisStore(evicting, { keyPrefix: uniqueName("checks") });
    const record = integrationRecord();
    const storeError = await refusal(store.create(record));
    expect(storeError.message).toContain("integration records");
    expect(storeError.details).toMatchObject({ setting: "maxmemory-policy", value: "allkeys-lru" });
    expect(await evicting.dbsize()).toBe(0);
    // Every later call is refused the same way, reads included.
    await refusal(store.get(record.id));
    const cache = new RedisCache(evicting);
    await refusal(cache.get(key));
    await refusal(cache.waitFor(key, 50));
  });

  it("accepts allkeys-lru with evictionPolicyCheck: 'warn', warning once on stderr", async () => {
    const key = uniqueName("sdk:nonce");
    const lines = await stderrOf(async () => {
      const first = new RedisCache(evicting, { evictionPolicyCheck: "warn" });
      await first.set(key, "value", 10_000);
      expect(await first.get(key)).toBe("value");
      await new RedisCache(evicting, { evictionPolicyCheck: "warn" }).get(key);
    });
    const warnings = lines.filter((line) => line.includes("maxmemory-policy"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"allkeys-lru"');
  });

  it("skips the check with evictionPolicyCheck: 'off' and passes noeviction and volatile-lru silently", async () => {
    const lines = await stderrOf(async () => {
      await new RedisCache(evicting, { evictionPolicyCheck: "off" }).get("absent");
      for (const policy of ["noeviction", "volatile-lru"]) {
        await evicting.config("SET", "maxmemory-policy", policy);
        await new RedisCache(evicting).get("absent");
        await new RedisStore(evicting, { keyPrefix: uniqueName("checks") }).get("absent");
      }
    });
    expect(lines.filter((line) => line.includes("@sdk/storage-redis"))).toEqual([]);
  });

  it("warns the cache about volatile-ttl (locks are evicted first) but lets the store run", async () => {
    await evicting.config("SET", "maxmemory-policy", "volatile-ttl");
    const lines = await stderrOf(async () => {
      await new RedisCache(evicting).get("absent");
      await new RedisStore(evicting, { keyPrefix: uniqueName("checks") }).get("absent");
    });
    expect(lines.filter((line) => line.includes("volatile-ttl"))).toHaveLength(1);
  });

  it("warns once on stderr, saying what to verify, when CONFIG is unavailable, and then works", async () => {
    const key = uniqueName("sdk:nonce");
    const lines = await stderrOf(async () => {
      const cache = new RedisCache(noConfig);
      expect(await cache.setIfAbsent(key, "value", 10_000)).toBe(true);
      expect(await cache.get(key)).toBe("value");
      await new RedisCache(noConfig).get(key);
    });
    const warnings = lines.filter((line) => line.includes("maxmemory-policy"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could not read maxmemory-policy .*verify .*noeviction or volatile-\*/i);
    expect(warnings[0]).not.toContain(key);
  });

  it("warns once that a RedisStore without persistence loses its records on a restart; the cache does not care", async () => {
    await evicting.config("SET", "maxmemory-policy", "noeviction");
    await evicting.config("SET", "appendonly", "no");
    const lines = await stderrOf(async () => {
      await new RedisCache(evicting).get("absent");
      await new RedisStore(evicting, { keyPrefix: uniqueName("checks") }).get("absent");
      await new RedisStore(evicting, { keyPrefix: uniqueName("checks") }).get("absent");
    });
    expect(lines.filter((line) => line.includes("without persistence"))).toHaveLength(1);
    const health = await new RedisStore(evicting, { keyPrefix: uniqueName("checks") }).checkHealth();
    expect(health.find((check) => check.name === "persistence")).toMatchObject({ status: "warn", details: { setting: "appendonly", value: "no" } });
  });

  it("refuses a plain client on a Cluster node and accepts a Cluster client", async () => {
    const node = clusterNodes[0];
    if (!node) throw new Error("the global setup started no Cluster");
    const plain = await connectStandalone(`redis://${node.host}:${node.port}`);
    clients.push(plain);
    const error = await refusal(new RedisCache(plain).get("absent"));
    expect(error.message).toContain("new Cluster(");
    expect(error.details).toMatchObject({ setting: "cluster_enabled", value: "1" });

    const cluster = await connectCluster(clusterNodes);
    try {
      const cache = new RedisCache(cluster);
      const key = uniqueName("sdk:nonce");
      await cache.set(key, "value", 10_000);
      expect(await cache.get(key)).toBe("value");
      const health = await cache.checkHealth();
      expect(health.find((check) => check.name === "cluster-mode")).toMatchObject({ status: "pass" });
      expect(health.find((check) => check.name === "maxmemory-policy")).toMatchObject({ status: "pass" });
    } finally {
      cluster.disconnect();
    }
  });

  it("checkHealth reports each finding by setting name, never a key or a value", async () => {
    const key = uniqueName("integration:jira:int-1:app_user:acct-1:access_token");
    await evicting.set(key, "planted-access-token-77c1", "PX", 10_000);
    const health = await new RedisCache(evicting).checkHealth();
    expect(health.find((check) => check.name === "reachable")).toMatchObject({ status: "pass" });
    expect(health.find((check) => check.name === "maxmemory-policy")).toMatchObject({ status: "fail", code: "misconfigured", details: { setting: "maxmemory-policy", value: "allkeys-lru" } });
    expect(JSON.stringify(health)).not.toContain("planted-access-token-77c1");
    expect(JSON.stringify(health)).not.toContain(key);

    const blind = await new RedisStore(noConfig, { keyPrefix: uniqueName("checks") }).checkHealth();
    expect(blind.find((check) => check.name === "maxmemory-policy")).toMatchObject({ status: "warn" });

    const down = await connectStandalone(servers[1]!.url);
    down.disconnect();
    const unreachable = await new RedisCache(down).checkHealth();
    expect(unreachable).toEqual([expect.objectContaining({ name: "reachable", status: "fail", code: "cache_unavailable" })]);
  });
});
