import { SdkError, type Integration } from "@sdk/core";
import { runPersistentStoreContract } from "@sdk/core/testing";
import type { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectCluster, connectStandalone, deleteMatching, integrationRecord, rawRecord, recordKey, storeHarness, uniqueName } from "../test/redis-harness.js";
import { RedisStorage, RedisStore } from "./redis-store.js";

const { url, clusterNodes } = inject("redis");
const clusterSkipReason = clusterNodes.length > 0 ? undefined : "needs redis-server to start a local Redis Cluster";

let standalone: Redis;
let cluster: Cluster | undefined;

beforeAll(async () => {
  standalone = await connectStandalone(url);
  if (clusterNodes.length > 0) cluster = await connectCluster(clusterNodes);
});

afterAll(async () => {
  await Promise.all([standalone, cluster].map((client) => client?.quit()));
});

/** A record as a RedisStore 2.0.0-alpha build wrote it: the record and its all / account / provider sets, no newer set. */
async function writeAsOlderBuild(prefix: string, record: Partial<Integration> & Pick<Integration, "id" | "account_id" | "provider">): Promise<void> {
  await standalone.set(recordKey(prefix, record.id), JSON.stringify(record));
  for (const key of ["all", `account:${record.account_id}`, `provider:${record.provider}`]) await standalone.sadd(`{${prefix}}:${key}`, record.id);
}

runPersistentStoreContract("RedisStore on standalone Redis", async () => storeHarness(standalone));
runPersistentStoreContract("RedisStore on a 3-master Redis Cluster", async () => storeHarness(cluster!), { skipReason: clusterSkipReason });

describe("RedisStore storage layout", () => {
  let prefix: string;
  let store: RedisStore;
  const tag = () => `{${prefix}}`;
  const members = async (key: string) => (await standalone.smembers(`${tag()}:${key}`)).sort();

  beforeAll(() => {
    prefix = uniqueName("layout");
    store = new RedisStore(standalone, { keyPrefix: prefix });
  });

  afterAll(() => deleteMatching(standalone, `${tag()}:*`));

  it("keeps the account, provider and natural-key index sets in step with the record, in the same write", async () => {
    const item = integrationRecord();
    await store.create(item);
    expect(await members("all")).toContain(item.id);
    expect(await members("account:acct-1")).toContain(item.id);
    expect(await members("provider:jira")).toContain(item.id);
    expect(await members("natural-key:cloud-a")).toContain(item.id);

    await store.update(item.id, { natural_key: "cloud-b", updated_at: "2026-01-02T00:00:00.000Z" }, { expectedVersion: 1 });
    expect(await members("natural-key:cloud-a")).not.toContain(item.id);
    expect(await members("natural-key:cloud-b")).toContain(item.id);
    expect((await store.list({ natural_key: "cloud-a" })).map((found) => found.id)).not.toContain(item.id);

    await store.update(item.id, { natural_key: null, updated_at: "2026-01-03T00:00:00.000Z" }, { expectedVersion: 2 });
    expect(await members("natural-key:cloud-b")).not.toContain(item.id);

    expect(await members(`account-provider:${JSON.stringify(["acct-1", "jira"])}`)).toContain(item.id);
    expect(await members(`account-creator:${JSON.stringify(["acct-1", item.created_by])}`)).toContain(item.id);
    await store.update(item.id, { created_by: "user:other", updated_at: "2026-01-04T00:00:00.000Z" }, { expectedVersion: 3 });
    expect(await members(`account-creator:${JSON.stringify(["acct-1", item.created_by])}`)).not.toContain(item.id);
    expect(await members(`account-creator:${JSON.stringify(["acct-1", "user:other"])}`)).toContain(item.id);
    expect(await store.delete(item.id)).toBe(true);
    for (const key of ["all", "account:acct-1", "provider:jira", `account-provider:${JSON.stringify(["acct-1", "jira"])}`, `account-creator:${JSON.stringify(["acct-1", "user:other"])}`]) {
      expect(await members(key)).not.toContain(item.id);
    }
    expect(await standalone.exists(recordKey(prefix, item.id))).toBe(0);
  });

  it("lists an account's records of some providers from their (account, provider) sets, filled once for older records", async () => {
    const own = uniqueName("ap");
    const apTag = `{${own}}`;
    const first = new RedisStore(standalone, { keyPrefix: own });
    const jira = integrationRecord({ account_id: "acct:big", provider: "jira", natural_key: null });
    await first.create(jira);
    // What an earlier build left: records and their account and provider sets, no (account, provider) sets.
    const older = [integrationRecord({ account_id: "acct:big", provider: "confluence", natural_key: null }), integrationRecord({ account_id: "acct:big", provider: "slack", natural_key: null })];
    for (const record of older) await writeAsOlderBuild(own, record);
    try {
      const second = new RedisStore(standalone, { keyPrefix: own });
      const ids = async (providers: string[]) => (await second.list({ account_id: "acct:big", providers })).map((record) => record.id).sort();
      expect(await ids(["jira", "confluence", "jsm"])).toEqual([jira.id, older[0]!.id].sort());
      expect(await ids(["slack"])).toEqual([older[1]!.id]);
      expect((await second.list({ account_id: "acct:big", provider: "jira" })).map((record) => record.id)).toEqual([jira.id]);
      expect(await standalone.get(`${apTag}:account-provider:indexed`)).toBe("1");
      expect(await standalone.smembers(`${apTag}:account-provider:${JSON.stringify(["acct:big", "confluence"])}`)).toEqual([older[0]!.id]);
    } finally {
      await deleteMatching(standalone, `${apTag}:*`);
    }
  });

  it("lists an SDK user's records of an account from their (account, creator) set, filled once for older records", async () => {
    const own = uniqueName("creator");
    const creatorTag = `{${own}}`;
    const first = new RedisStore(standalone, { keyPrefix: own });
    const mine = integrationRecord({ account_id: "acct:big", provider: "jira", natural_key: null, created_by: "user:1" });
    await first.create(mine);
    // What an earlier build left: records and their account and provider sets, no (account, creator) sets; a 1.x
    // record without a creator reads as "".
    const older = [integrationRecord({ account_id: "acct:big", provider: "confluence", natural_key: null, created_by: "user:1" }), integrationRecord({ account_id: "acct:big", provider: "jira", natural_key: null, created_by: "user:2" })];
    const { created_by: _dropped, ...legacy } = integrationRecord({ account_id: "acct:big", provider: "jira", natural_key: null });
    for (const record of [...older, legacy]) await writeAsOlderBuild(own, record);
    try {
      const second = new RedisStore(standalone, { keyPrefix: own });
      const ids = async (createdBy: string) => (await second.list({ account_id: "acct:big", created_by: createdBy })).map((record) => record.id).sort();
      expect(await ids("user:1")).toEqual([mine.id, older[0]!.id].sort());
      expect(await ids("user:2")).toEqual([older[1]!.id]);
      expect(await ids("")).toEqual([legacy.id]);
      expect(await standalone.get(`${creatorTag}:account-creator:indexed`)).toBe("1");
      expect(await standalone.smembers(`${creatorTag}:account-creator:${JSON.stringify(["acct:big", "user:2"])}`)).toEqual([older[1]!.id]);
    } finally {
      await deleteMatching(standalone, `${creatorTag}:*`);
    }
  });

  it("ensureIndexes() fills every index set for older records at deploy time, and { again: true } picks up what an older build wrote after", async () => {
    const own = uniqueName("ensure");
    const ownTag = `{${own}}`;
    const olderWrite = (record: Integration) => writeAsOlderBuild(own, record);
    const first = integrationRecord({ account_id: "acct:e", provider: "jira", natural_key: null, created_by: "user:1" });
    await olderWrite(first);
    try {
      const store = new RedisStore(standalone, { keyPrefix: own });
      await store.ensureIndexes();
      for (const marker of ["scan:indexed", "account-provider:indexed", "account-creator:indexed"]) expect(await standalone.get(`${ownTag}:${marker}`)).toBe("1");
      expect(await standalone.smembers(`${ownTag}:account-creator:${JSON.stringify(["acct:e", "user:1"])}`)).toEqual([first.id]);
      expect(await standalone.smembers(`${ownTag}:account-provider:${JSON.stringify(["acct:e", "jira"])}`)).toEqual([first.id]);
      expect(await standalone.zrange(`${ownTag}:scan:account:acct:e`, "0", "-1")).toEqual([first.id]);

      // The older build still writes during a rolling deploy: its record is in no new set, so the indexed reads miss it...
      const late = integrationRecord({ account_id: "acct:e", provider: "jira", natural_key: null, created_by: "user:1" });
      await olderWrite(late);
      const mine = async () => (await store.list({ account_id: "acct:e", created_by: "user:1" })).map((record) => record.id).sort();
      expect(await mine()).toEqual([first.id]);
      // ...until the walk runs again once it has stopped.
      await store.ensureIndexes({ again: true });
      expect(await mine()).toEqual([first.id, late.id].sort());
      expect((await store.list({ account_id: "acct:e", provider: "jira" })).map((record) => record.id).sort()).toEqual([first.id, late.id].sort());
      expect((await store.scan({ account_id: "acct:e", limit: 10 })).records.map((record) => record.id).sort()).toEqual([first.id, late.id].sort());
      expect(await standalone.get(`${ownTag}:account-creator:indexed`)).toBe("1");

      const refused = await store.ensureIndexes({ again: "yes" } as unknown as { again: boolean }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: "validation_failed", details: { field: "ensureIndexes.again" } });
    } finally {
      await deleteMatching(standalone, `${ownTag}:*`);
    }
  });

  it("holds each (provider, account_id, natural_key) in an owner key with the id, moved and released in the same write", async () => {
    const owner = (account: string, naturalKey: string) => standalone.get(`${tag()}:natural-key-owner:${JSON.stringify(["jira", account, naturalKey])}`);
    const item = integrationRecord({ account_id: "acct:owner", natural_key: "cloud:a" });
    await store.create(item);
    expect(await owner("acct:owner", "cloud:a")).toBe(item.id);
    // ':' inside the parts does not make another triple's key.
    await store.create(integrationRecord({ account_id: "acct", natural_key: "owner:cloud:a" }));

    await store.update(item.id, { natural_key: "cloud-b", updated_at: "2026-01-02T00:00:00.000Z" }, { expectedVersion: 1 });
    expect(await owner("acct:owner", "cloud:a")).toBeNull();
    expect(await owner("acct:owner", "cloud-b")).toBe(item.id);
    await store.update(item.id, { natural_key: null, updated_at: "2026-01-03T00:00:00.000Z" }, { expectedVersion: 2 });
    expect(await owner("acct:owner", "cloud-b")).toBeNull();
    await store.update(item.id, { natural_key: "cloud-c", updated_at: "2026-01-04T00:00:00.000Z" }, { expectedVersion: 3 });
    expect(await store.delete(item.id)).toBe(true);
    expect(await owner("acct:owner", "cloud-c")).toBeNull();
  });

  it("lets exactly one of 20 concurrent creates of one natural key win", async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.create(integrationRecord({ account_id: "acct-race", natural_key: "cloud-race" }))));
    const won = results.filter((result): result is PromiseFulfilledResult<Integration> => result.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") expect((result.reason as SdkError).details).toMatchObject({ conflict: "natural_key" });
    }
    expect((await store.list({ account_id: "acct-race" })).map((found) => found.id)).toEqual([won[0]!.value.id]);
    expect(await members("account:acct-race")).toEqual([won[0]!.value.id]);
  });

  it("updates and deletes records written before owner keys existed, even two sharing one natural key", async () => {
    // Two records of one natural key, as a store without owner keys could leave them: no owner key, no index entries.
    const [first, second] = [integrationRecord({ account_id: "acct-old", natural_key: "cloud-old" }), integrationRecord({ account_id: "acct-old", natural_key: "cloud-old" })];
    for (const item of [first, second]) await standalone.set(recordKey(prefix, item.id), JSON.stringify(item));
    const ownerKey = `${tag()}:natural-key-owner:${JSON.stringify(["jira", "acct-old", "cloud-old"])}`;

    await store.update(first.id, { status: "needs_reauth", updated_at: "2026-01-02T00:00:00.000Z" }, { expectedVersion: 1 });
    expect(await standalone.get(ownerKey)).toBe(first.id);
    await store.update(second.id, { status: "needs_reauth", updated_at: "2026-01-02T00:00:00.000Z" }, { expectedVersion: 1 });
    expect(await standalone.get(ownerKey)).toBe(first.id);
    // Deleting the record that does not hold the owner key leaves it with its holder.
    expect(await store.delete(second.id)).toBe(true);
    expect(await standalone.get(ownerKey)).toBe(first.id);
    const duplicate = await store.create(integrationRecord({ account_id: "acct-old", natural_key: "cloud-old" })).catch((caught: unknown) => caught);
    expect(SdkError.is(duplicate, "integration_exists")).toBe(true);
    expect(await store.delete(first.id)).toBe(true);
    expect(await standalone.exists(ownerKey)).toBe(0);
  });

  it("reads a 1.x record (no version, status, metadata, natural_key) and upgrades it on its next write", async () => {
    const id = uniqueName("legacy");
    // The shape a 1.x writer left: plaintext credentials, no version, no index entries.
    const legacy = { id, provider: "slack", account_id: "acct-legacy", created_by: "user-1", scopes: ["chat:write"], credentials: { access_token: "xoxb-plain" } };
    await standalone.set(recordKey(prefix, id), JSON.stringify(legacy));

    const read = await store.get(id);
    expect(read).toMatchObject({ id, version: 0, status: "active", auth_type: "oauth2", metadata: {}, natural_key: null });

    const stale = await store.update(id, { status: "revoked", updated_at: "2026-01-02T00:00:00.000Z" }, { expectedVersion: 1 }).catch((caught: unknown) => caught);
    expect(SdkError.is(stale, "integration_conflict")).toBe(true);

    const upgraded = await store.update(id, { credentials: { access_token: { v: 1, kid: "k1", iv: "a", tag: "b", ct: "c" } }, updated_at: "2026-01-02T00:00:00.000Z" }, { expectedVersion: 0 });
    expect(upgraded.version).toBe(1);
    const raw = (await rawRecord(standalone, prefix, id)) as Record<string, unknown>;
    expect(raw).toMatchObject({ version: 1, status: "active", metadata: {}, natural_key: null, credentials: { access_token: { kid: "k1" } } });
    expect(JSON.stringify(raw)).not.toContain("xoxb-plain");
    // The write also put the record into the index sets it was missing from.
    expect((await store.list({ account_id: "acct-legacy" })).map((found) => found.id)).toEqual([id]);
  });

  it("keeps each (account_id, grant_key) set in step with the record, and keys a record written without one on the write that gives it", async () => {
    const family = `grant-key:${JSON.stringify(["acct-grant", "atlassian:alice"])}`;
    const keyed = integrationRecord({ account_id: "acct-grant", natural_key: "cloud-g1", grant_key: "atlassian:alice" });
    await store.create(keyed);
    expect(await members(family)).toEqual([keyed.id]);
    // Written before grant keys (no field at all): in no grant-key set, and not listed by one.
    const id = uniqueName("before-grant");
    const { grant_key: _absent, ...older } = integrationRecord({ id, account_id: "acct-grant", provider: "confluence", natural_key: "cloud-g1" });
    await standalone.set(recordKey(prefix, id), JSON.stringify(older));
    expect((await store.list({ account_id: "acct-grant", grant_key: "atlassian:alice" })).map((found) => found.id)).toEqual([keyed.id]);
    // The migration's write (backfillNaturalKeys) gives the key and joins the set atomically with the record.
    await store.update(id, { grant_key: "atlassian:alice", updated_at: older.updated_at }, { expectedVersion: older.version });
    expect(await members(family)).toEqual([keyed.id, id].sort());
    await store.update(keyed.id, { grant_key: "atlassian:bob", updated_at: "2026-01-02T00:00:00.000Z" }, { expectedVersion: 1 });
    expect(await members(family)).toEqual([id]);
    expect(await members(`grant-key:${JSON.stringify(["acct-grant", "atlassian:bob"])}`)).toEqual([keyed.id]);
    expect(await store.delete(id)).toBe(true);
    expect(await standalone.exists(`${tag()}:${family}`)).toBe(0);
  });

  it("a patch field given as undefined leaves the stored value alone", async () => {
    const item = integrationRecord({ status: "needs_reauth" });
    await store.create(item);
    const updated = await store.update(item.id, { status: undefined, scopes: ["a"], updated_at: "2026-01-02T00:00:00.000Z" }, { expectedVersion: 1 });
    expect(updated.status).toBe("needs_reauth");
    expect((await store.get(item.id))!.status).toBe("needs_reauth");
  });

  it("reports a value that is not an integration as store_unavailable without its content", async () => {
    const id = uniqueName("garbage");
    await standalone.set(recordKey(prefix, id), "not json secret-value-123");
    const error = await store.get(id).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "store_unavailable")).toBe(true);
    expect((error as SdkError).retryable).toBe(false);
    expect(JSON.stringify((error as SdkError).toJSON())).not.toContain("secret-value-123");
  });

  it("refuses a keyPrefix that cannot be a Cluster hash tag", () => {
    for (const keyPrefix of ["", "a{b", "a}b"]) {
      expect(() => new RedisStore(standalone, { keyPrefix })).toThrow(expect.objectContaining({ code: "misconfigured" }));
    }
  });

  it("keeps the 1.x name RedisStorage as an alias of RedisStore", () => {
    expect(RedisStorage).toBe(RedisStore);
    expect(new RedisStorage(standalone)).toBeInstanceOf(RedisStore);
  });
});

describe.skipIf(clusterSkipReason !== undefined)(`RedisStore on a Redis Cluster keeps one store in one hash slot${clusterSkipReason ? ` (skipped: ${clusterSkipReason})` : ""}`, () => {
  it("puts the record and every index key of a store in the slot of its hash tag", async () => {
    const prefix = uniqueName("slot");
    const store = new RedisStore(cluster!, { keyPrefix: prefix });
    const item = integrationRecord({ grant_key: "atlassian:alice" });
    await store.create(item);
    const keys = [
      recordKey(prefix, item.id),
      `{${prefix}}:grant-key:["acct-1","atlassian:alice"]`,
      `{${prefix}}:all`,
      `{${prefix}}:account:acct-1`,
      `{${prefix}}:provider:jira`,
      `{${prefix}}:natural-key:cloud-a`,
      `{${prefix}}:natural-key-owner:["jira","acct-1","cloud-a"]`,
    ];
    const slots = await Promise.all(keys.map((key) => cluster!.cluster("KEYSLOT", key)));
    expect(new Set(slots).size).toBe(1);
    for (const key of keys) expect(await cluster!.exists(key)).toBe(1);
    await deleteMatching(cluster!, `{${prefix}}:*`);
  });
});
