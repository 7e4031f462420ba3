// Test plumbing shared by the Redis test files: fail-fast clients for the private standalone Redis and Cluster, and
// contract harnesses whose raw readers go to Redis directly (GET, PTTL), never through the store under test.
import type { Integration } from "@sdk/core";
import { sampleIntegration, type CacheStoreHarness, type PersistentStoreHarness } from "@sdk/core/testing";
import { Cluster, Redis } from "ioredis";
import { RedisCache, type RedisCacheOptions } from "../src/redis-cache.js";
import { failFastRedisOptions, isCluster, type RedisClient } from "../src/redis-client.js";
import { RedisStore } from "../src/redis-store.js";

export async function connectStandalone(url: string): Promise<Redis> {
  const client = new Redis(url, { ...failFastRedisOptions, lazyConnect: true });
  await client.connect();
  return client;
}

export async function connectCluster(nodes: Array<{ host: string; port: number }>): Promise<Cluster> {
  const { enableOfflineQueue, ...redisOptions } = failFastRedisOptions;
  const cluster = new Cluster(nodes, { enableOfflineQueue, lazyConnect: true, redisOptions });
  await cluster.connect();
  return cluster;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const uniqueName = (label: string) => `${label}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

/** A valid record with a unique id, for the tests beyond the contract suites. */
export function integrationRecord(overrides: Partial<Integration> = {}): Integration {
  return sampleIntegration({
    id: uniqueName("int"),
    account_id: "acct-1",
    scopes: ["read:jira-work"],
    metadata: {},
    natural_key: "cloud-a",
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    ...overrides,
  });
}

/** Deletes every key matching `pattern`; a Cluster is scanned master by master. */
export async function deleteMatching(client: RedisClient, pattern: string): Promise<void> {
  const nodes = isCluster(client) ? client.nodes("master") : [client];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
      cursor = next;
      for (const key of keys) await client.del(key);
    } while (cursor !== "0");
  }
}

export async function rawPttl(client: RedisClient, key: string): Promise<number | undefined> {
  const ttl = await client.pttl(key);
  // -2: no such key; -1: a key without expiry, which the contract must see as "not within the TTL".
  if (ttl === -2) return undefined;
  return ttl === -1 ? Number.POSITIVE_INFINITY : ttl;
}

export function cacheHarness(client: RedisClient, options: RedisCacheOptions = {}): CacheStoreHarness {
  const cache = new RedisCache(client, options);
  return {
    cache,
    raw: {
      get: async (key) => (await client.get(key)) ?? undefined,
      ttlMs: (key) => rawPttl(client, key),
    },
    advance: sleep,
    cleanup: () => cache.dispose(),
  };
}

/** The documented record key of a RedisStore with this prefix. */
export const recordKey = (prefix: string, id: string) => `{${prefix}}:record:${id}`;

export async function rawRecord(client: RedisClient, prefix: string, id: string): Promise<unknown> {
  const json = await client.get(recordKey(prefix, id));
  return json === null ? undefined : JSON.parse(json);
}

/** Each harness gets its own prefix (so its own hash slot, spreading Cluster runs over the masters) and removes it after. */
export function storeHarness(client: RedisClient): PersistentStoreHarness {
  const prefix = uniqueName("test-integrations");
  return {
    store: new RedisStore(client, { keyPrefix: prefix }),
    raw: (id) => rawRecord(client, prefix, id),
    cleanup: () => deleteMatching(client, `{${prefix}}:*`),
  };
}
