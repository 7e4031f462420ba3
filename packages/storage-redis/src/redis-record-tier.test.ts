// RedisStore's record tier: the store contract with every read going through the tier (read-your-writes), then
// what the tier promises across two stores on two connections (as two processes have): served from memory, forgotten
// on any write through another store, never used by reads that do not ask for it, off while unsubscribed.
import type { Integration, PersistentStore } from "@sdk/core";
import { runPersistentStoreContract } from "@sdk/core/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectStandalone, deleteMatching, integrationRecord, rawRecord, recordKey, sleep, uniqueName } from "../test/redis-harness.js";
import { failFastRedisOptions } from "./redis-client.js";
import { RedisStore } from "./redis-store.js";

const { url } = inject("redis");
const tier = { maxEntries: 100, maxTtlMs: 60_000 };

let first: Redis;
let second: Redis;
let raw: Redis;

beforeAll(async () => {
  [first, second, raw] = await Promise.all([connectStandalone(url), connectStandalone(url), connectStandalone(url)]);
});
afterAll(async () => {
  await Promise.all([first, second, raw].map((client) => client?.quit()));
});

/** A store whose every `get` asks for the tier, so the contract checks the tier against the store's own writes. */
function tierReads(store: RedisStore): PersistentStore {
  return {
    get: (id) => store.get(id, { tier: true }),
    create: (record) => store.create(record),
    update: (id, patch, options) => store.update(id, patch, options),
    delete: (id) => store.delete(id),
    list: (filter) => store.list(filter),
    scan: (query) => store.scan(query),
  };
}

runPersistentStoreContract("RedisStore, every read through its record tier", async () => {
  const prefix = uniqueName("tier-contract");
  const store = new RedisStore(first, { keyPrefix: prefix, recordTier: tier });
  return {
    store: tierReads(store),
    raw: (id) => rawRecord(first, prefix, id),
    cleanup: async () => {
      await store.dispose();
      await deleteMatching(first, `{${prefix}}:*`);
    },
  };
});

/** Reads until the tier serves `id` from memory: proven by a raw SET (no message) that the next tier read misses. */
async function warm(store: RedisStore, prefix: string, record: Integration): Promise<void> {
  const json = JSON.stringify(record);
  for (const begun = Date.now(); Date.now() - begun < 3000; await sleep(10)) {
    expect((await store.get(record.id, { tier: true }))?.version).toBe(record.version);
    await raw.set(recordKey(prefix, record.id), JSON.stringify({ ...record, created_by: "raw-probe" }));
    const seen = await store.get(record.id, { tier: true });
    await raw.set(recordKey(prefix, record.id), json);
    if (seen?.created_by === record.created_by) return;
    // Not served from memory yet (the subscription is being confirmed): the probe must not stay in memory either.
    await raw.publish(`{${prefix}}:changed`, record.id);
  }
  throw new Error("the record tier never served the record from memory");
}

describe("RedisStore record tier across two stores (two connections, as two processes)", () => {
  let prefix: string;
  let reader: RedisStore;
  let writer: RedisStore;

  beforeAll(() => {
    prefix = uniqueName("tier");
    reader = new RedisStore(first, { keyPrefix: prefix, recordTier: tier });
    writer = new RedisStore(second, { keyPrefix: prefix, recordTier: tier });
  });
  afterAll(async () => {
    await Promise.all([reader.dispose(), writer.dispose()]);
    await deleteMatching(raw, `{${prefix}}:*`);
  });

  it("serves a record from memory and forgets it when the other store updates or deletes it", async () => {
    const record = await writer.create(integrationRecord({ natural_key: uniqueName("cloud") }));
    await warm(reader, prefix, record);
    const updated = await writer.update(record.id, { status: "needs_reauth", updated_at: "2026-01-02T00:00:00.000Z" }, { expectedVersion: 1 });
    for (const begun = Date.now(); (await reader.get(record.id, { tier: true }))?.status !== "needs_reauth"; await sleep(5)) {
      expect(Date.now() - begun).toBeLessThan(1000);
    }
    await warm(reader, prefix, updated);
    await writer.delete(record.id);
    for (const begun = Date.now(); (await reader.get(record.id, { tier: true })) !== undefined; await sleep(5)) expect(Date.now() - begun).toBeLessThan(1000);
  });

  it("answers reads that do not ask for the tier (writers, the refresh path) from Redis only", async () => {
    const record = await writer.create(integrationRecord({ natural_key: uniqueName("cloud") }));
    await warm(reader, prefix, record);
    // A change the tier cannot know about (no message): only a plain read sees it.
    await raw.set(recordKey(prefix, record.id), JSON.stringify({ ...record, credentials: { refresh_token: "rotated" } }));
    expect((await reader.get(record.id))?.credentials).toEqual({ refresh_token: "rotated" });
    expect((await reader.get(record.id, { tier: true }))?.credentials).toEqual(record.credentials);
    // And a compare-and-set write reads Redis, so it sees the change instead of failing on the tier's copy for ever.
    await expect(reader.update(record.id, { status: "revoked", updated_at: "2026-01-03T00:00:00.000Z" }, { expectedVersion: 1 })).resolves.toMatchObject({ status: "revoked" });
    expect((await reader.get(record.id, { tier: true }))?.status).toBe("revoked");
  });

  it("hands every caller its own copy", async () => {
    const record = await writer.create(integrationRecord({ natural_key: uniqueName("cloud"), metadata: { nested: { site: "a" } }, scopes: ["read"] }));
    await warm(reader, prefix, record);
    const mine = (await reader.get(record.id, { tier: true }))!;
    mine.scopes.push("write");
    (mine.metadata.nested as Record<string, string>).site = "changed";
    const again = (await reader.get(record.id, { tier: true }))!;
    expect(again.scopes).toEqual(["read"]);
    expect(again.metadata).toEqual({ nested: { site: "a" } });
  });

  it("shares only frozen credential envelopes between callers; every other credential value is a copy", async () => {
    const envelope = { v: 2, kid: "k1", iv: "aXYtaXYtaXYt", tag: "dGFnLXRhZy10YWc", ct: "Y2lwaGVy" };
    const record = await writer.create(integrationRecord({ natural_key: uniqueName("cloud"), credentials: { refresh_token: envelope, scopes: ["read"] } }));
    await warm(reader, prefix, record);
    const mine = (await reader.get(record.id, { tier: true }))!;
    expect(Object.isFrozen(mine.credentials.refresh_token)).toBe(true);
    expect(() => Object.assign(mine.credentials.refresh_token as object, { ct: "other" })).toThrow(TypeError);
    mine.credentials.refresh_token = "replaced";
    (mine.credentials.scopes as string[]).push("write");
    const again = (await reader.get(record.id, { tier: true }))!;
    expect(again.credentials).toEqual({ refresh_token: envelope, scopes: ["read"] });
  });

  it("stops serving from memory while its subscription is down", async () => {
    const connectionName = uniqueName("tier-sub");
    const own = new Redis(url, { ...failFastRedisOptions, lazyConnect: true, connectionName });
    own.on("error", () => undefined);
    await own.connect();
    const store = new RedisStore(own, { keyPrefix: prefix, recordTier: tier });
    try {
      const record = await writer.create(integrationRecord({ natural_key: uniqueName("cloud") }));
      await warm(store, prefix, record);
      // The subscriber is a duplicate of `own`: kill every connection subscribed to the store's channel but ours.
      const clients = (await raw.client("LIST")) as string;
      const killed = clients.split("\n").filter((line) => / sub=[1-9]/.test(line) && line.includes(`name=${connectionName}`));
      for (const line of killed) await raw.client("KILL", "ID", /id=(\d+)/.exec(line)![1]!);
      expect(killed.length).toBe(1);
      await raw.set(recordKey(prefix, record.id), JSON.stringify({ ...record, created_by: "while-down" }));
      expect((await store.get(record.id, { tier: true }))?.created_by).toBe("while-down");
    } finally {
      await store.dispose();
      await own.quit();
    }
  });

  it("rejects recordTier options that are not positive integers", () => {
    expect(() => new RedisStore(first, { recordTier: { maxEntries: 0, maxTtlMs: 10 } })).toThrow(/recordTier/);
  });
});
