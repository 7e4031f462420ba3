// MongoStore against a real MongoDB (MONGODB_URL): the PersistentStore contract plus the Mongo-only promises
// (indexes and the plans that use them, 1.x documents and writers, the migration, failover through the failCommand
// fail point). Without MONGODB_URL every suite is skipped and says why; mongo-store.wire.test.ts runs without one.
import { SdkError } from "@sdk/core";
import { runPersistentStoreContract } from "@sdk/core/testing";
import { MongoClient, ObjectId, type Collection, type Db, type Document } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { envelope, integrationRecord, legacyDocument, mongooseDocument, uniqueName } from "../test/fixtures.js";
import { listQuery } from "./integration-document.js";
import { countLegacyDocuments, migrateLegacyDocuments } from "./migrate-legacy-documents.js";
import { findDuplicateNaturalKeys } from "./mongo-store-indexes.js";
import { MongoDBStorage, MongoStore } from "./mongo-store.js";

const url = process.env.MONGODB_URL;
const skipReason = url ? undefined : "needs MONGODB_URL (no MongoDB server can be installed on this machine)";
const suffix = skipReason ? ` (skipped: ${skipReason})` : "";

let client: MongoClient | undefined;
async function database(): Promise<Db> {
  // Defaults a deployment should keep: retryable writes, and server selection that outlasts an election.
  client ??= await new MongoClient(url!, { serverSelectionTimeoutMS: 30_000 }).connect();
  return client.db();
}

afterAll(async () => {
  await client?.close();
});

async function withCollection(run: (collection: Collection<Document>) => Promise<void>): Promise<void> {
  const collection = (await database()).collection(uniqueName("integrations_test"));
  try {
    await run(collection);
  } finally {
    await collection.drop().catch(() => undefined);
  }
}

runPersistentStoreContract(
  "MongoStore",
  async () => {
    const collection = (await database()).collection(uniqueName("integrations_test"));
    const store = new MongoStore(collection);
    // As a deployment does: indexes first, then traffic (the unique natural key is part of the contract).
    await store.ensureIndexes();
    return {
      store,
      raw: async (id) => (await collection.findOne({ _id: id as unknown as ObjectId })) ?? undefined,
      cleanup: async () => {
        await collection.drop().catch(() => undefined);
      },
    };
  },
  { skipReason },
);

describe.skipIf(skipReason !== undefined)(`MongoStore on MongoDB${suffix}`, () => {
  it("builds its indexes on ensureIndexes(), idempotently across stores", () =>
    withCollection(async (collection) => {
      await new MongoStore(collection).ensureIndexes();
      await new MongoStore(collection).ensureIndexes();
      const indexes = await collection.listIndexes().toArray();
      expect(indexes.map((index) => index.key)).toEqual(expect.arrayContaining([{ account_id: 1, provider: 1 }, { provider: 1, natural_key: 1, account_id: 1 }]));
      expect(indexes.find((index) => index.unique)?.partialFilterExpression).toEqual({ natural_key: { $type: "string" } });
    }));

  it("refuses a second integration with the same provider, account and natural key (integration_exists)", () =>
    withCollection(async (collection) => {
      const store = new MongoStore(collection);
      await store.ensureIndexes();
      await store.create(integrationRecord());
      const error = await store.create(integrationRecord()).catch((caught: unknown) => caught);
      expect(SdkError.is(error, "integration_exists")).toBe(true);
      expect((error as SdkError).details.conflict).toBe("natural_key");
      await store.create(integrationRecord({ natural_key: null }));
      await store.create(integrationRecord({ natural_key: null }));
      expect(await store.list({ account_id: "acct-1" })).toHaveLength(3);
    }));

  it("serves every SDK query shape from an index (explain)", () =>
    withCollection(async (collection) => {
      const store = new MongoStore(collection);
      await store.ensureIndexes();
      for (let index = 0; index < 20; index++) await store.create(integrationRecord({ account_id: `acct-${index % 4}`, natural_key: `cloud-${index}` }));
      const plan = async (query: Document) => JSON.stringify((await collection.find(query).explain("queryPlanner")).queryPlanner.winningPlan);
      const byAccount = await plan(listQuery({ account_id: "acct-1" }));
      expect(byAccount).toContain("account_id_1_provider_1");
      expect(await plan(listQuery({ account_id: "acct-1", providers: ["jira", "confluence"] }))).toContain("account_id_1_provider_1");
      // Sentry's uninstall lookup (no account) and the upsert lookup both use the partial unique index.
      expect(await plan(listQuery({ provider: "jira", natural_key: "cloud-3" }))).toContain("provider_1_natural_key_1_account_id_1");
      expect(await plan(listQuery({ provider: "jira", natural_key: "cloud-3", account_id: "acct-3" }))).toContain("provider_1_natural_key_1_account_id_1");
      // The grant family lookup (Atlassian refresh) uses the partial (account_id, grant_key) index.
      await store.create(integrationRecord({ account_id: "acct-1", natural_key: "cloud-family", grant_key: "atlassian:alice" }));
      expect(await plan(listQuery({ account_id: "acct-1", grant_key: "atlassian:alice" }))).toContain("account_id_1_grant_key_1");
      // What one SDK user connected uses the (account_id, created_by) index; Atlassian's install query (with its
      // products) may use either account index, never a collection scan.
      await store.create(integrationRecord({ account_id: "acct-1", natural_key: "cloud-solo", created_by: "user-solo" }));
      expect(await plan(listQuery({ account_id: "acct-1", created_by: "user-solo" }))).toContain("account_id_1_created_by_1");
      for (const query of [listQuery({ account_id: "acct-1" }), listQuery({ provider: "jira", natural_key: "cloud-3" }), listQuery({ account_id: "acct-1", grant_key: "atlassian:alice" }), listQuery({ account_id: "acct-1", created_by: "user-1" }), listQuery({ account_id: "acct-1", providers: ["jira", "jsm", "confluence"], created_by: "user-1" })]) {
        expect(await plan(query)).not.toContain("COLLSCAN");
      }
    }));

  it("never waits for an index build it cannot finish: duplicates fail ensureIndexes with a way out", () =>
    withCollection(async (collection) => {
      const first = integrationRecord({ created_at: "2025-01-01T00:00:00.000Z" });
      const second = integrationRecord();
      await collection.insertMany([{ ...first, _id: first.id }, { ...second, _id: second.id }] as unknown as Document[]);
      const store = new MongoStore(collection);
      // Requests work while the build fails in the background; the failure is kept, not rebuilt per call.
      expect(await store.list({ account_id: "acct-1" })).toHaveLength(2);
      const error = await store.ensureIndexes().catch((caught: unknown) => caught);
      expect(SdkError.is(error, "misconfigured")).toBe(true);
      expect((error as SdkError).message).toContain("findDuplicateNaturalKeys");
      const duplicates = await findDuplicateNaturalKeys(collection);
      expect(duplicates).toEqual([{ provider: "jira", account_id: "acct-1", natural_key: "cloud-a", integration_ids: [first.id, second.id].sort() }]);
      await store.delete(second.id);
      await store.ensureIndexes();
      expect(await findDuplicateNaturalKeys(collection)).toEqual([]);
    }));

  it("reads 1.x documents (snake_case Dates, and Mongoose's ObjectId + camelCase) in get and list", () =>
    withCollection(async (collection) => {
      const mongoose = mongooseDocument();
      await collection.insertMany([legacyDocument(), mongoose] as unknown as Document[]);
      const store = new MongoStore(collection, { createIndexes: false });
      expect(await store.get(mongoose._id.toHexString())).toMatchObject({ id: mongoose._id.toHexString(), version: 0, created_at: "2025-05-01T10:00:00.000Z" });
      expect((await store.list({ account_id: "acct-1", status: "active" })).map((found) => found.id).sort()).toEqual(["int-legacy", mongoose._id.toHexString()].sort());
    }));

  it("folds a 1.x write into a version bump: the stale writer conflicts, its retry applies, nothing is lost", () =>
    withCollection(async (collection) => {
      const mongoose = mongooseDocument();
      await collection.insertOne(mongoose as unknown as Document);
      const store = new MongoStore(collection, { createIndexes: false });
      const id = mongoose._id.toHexString();
      const stale = await store.update(id, { credentials: { access_token: envelope }, updated_at: "2026-02-01T00:00:00.000Z" }, { expectedVersion: 0 }).catch((caught: unknown) => caught);
      expect(SdkError.is(stale, "integration_conflict")).toBe(true);
      const upgraded = await store.update(id, { credentials: { access_token: envelope }, updated_at: "2026-02-01T00:00:00.000Z" }, { expectedVersion: 1 });
      expect(upgraded.version).toBe(2);

      // A 1.x service still running rotates the token through Mongoose: a new Date updatedAt, version untouched.
      await collection.updateOne({ _id: mongoose._id }, { $set: { "credentials.access_token": "xoxb-from-1x", updatedAt: new Date("2026-02-02T00:00:00.000Z") } });
      const overwrite = await store.update(id, { status: "revoked", updated_at: "2026-02-03T00:00:00.000Z" }, { expectedVersion: 2 }).catch((caught: unknown) => caught);
      expect(SdkError.is(overwrite, "integration_conflict")).toBe(true);
      expect((overwrite as SdkError).details).toMatchObject({ legacy_write: true, actual_version: 3 });
      const reread = (await store.get(id))!;
      expect(reread.credentials.access_token).toBe("xoxb-from-1x");
      expect((await store.update(id, { status: "revoked", updated_at: "2026-02-03T00:00:00.000Z" }, { expectedVersion: reread.version })).version).toBe(4);
    }));

  it("refuses an operator as id: nothing is read or deleted", () =>
    withCollection(async (collection) => {
      const store = new MongoStore(collection, { createIndexes: false });
      await store.create(integrationRecord());
      const operator = { $ne: null } as unknown as string;
      expect(SdkError.is(await store.get(operator).catch((caught: unknown) => caught), "validation_failed")).toBe(true);
      expect(SdkError.is(await store.delete(operator).catch((caught: unknown) => caught), "validation_failed")).toBe(true);
      expect(await collection.countDocuments()).toBe(1);
    }));

  it("migrates 1.x documents in resumable batches after a preflight, keeping their ids", () =>
    withCollection(async (collection) => {
      const mongoose = mongooseDocument();
      await collection.insertMany([legacyDocument(), mongoose, { _id: "int-current", ...integrationRecord() }, { _id: 7, note: "not an integration" }] as unknown as Document[]);
      expect(await countLegacyDocuments(collection)).toEqual({ legacy: 3, object_ids: 1, unreadable: 1 });
      const stop = new AbortController();
      // Batches go in _id order (a number sorts before strings and ObjectIds): the first batch meets the unreadable one.
      const first = await migrateLegacyDocuments(collection, { batchSize: 1, onBatch: () => stop.abort(), signal: stop.signal });
      expect(first).toEqual({ upgraded: 0, changed_meanwhile: 0, unreadable_ids: ["7"] });
      const rest = await migrateLegacyDocuments(collection, { batchSize: 1 });
      expect(rest).toEqual({ upgraded: 2, changed_meanwhile: 0, unreadable_ids: ["7"] });
      expect(await countLegacyDocuments(collection)).toEqual({ legacy: 1, object_ids: 1, unreadable: 1 });
      expect(await collection.findOne({ _id: mongoose._id })).toMatchObject({ version: 1, created_at: "2025-05-01T10:00:00.000Z", updatedAt: "2025-05-02T10:00:00.000Z" });
      expect((await migrateLegacyDocuments(collection)).upgraded).toBe(0);
    }));

  it("rides out a step-down (failCommand fail point): the driver retries once, a longer outage is retryable store_unavailable", async (context) => {
    const admin = (await database()).admin();
    const failPoint = (mode: Document, data: Document) => admin.command({ configureFailPoint: "failCommand", mode, data });
    const enabled = await failPoint({ times: 0 }, { failCommands: ["ping"] }).then(
      () => true,
      () => false,
    );
    // failCommand exists only on servers started with --setParameter enableTestCommands=1.
    context.skip(!enabled, "the server at MONGODB_URL does not have enableTestCommands=1");
    await withCollection(async (collection) => {
      const store = new MongoStore(collection, { createIndexes: false });
      const record = await store.create(integrationRecord());
      try {
        await failPoint({ times: 1 }, { failCommands: ["findAndModify"], errorCode: 10107, errorLabels: ["RetryableWriteError"] });
        expect((await store.update(record.id, { status: "needs_reauth", updated_at: "2026-02-01T00:00:00.000Z" }, { expectedVersion: 1 })).version).toBe(2);
        await failPoint({ times: 2 }, { failCommands: ["findAndModify"], errorCode: 10107, errorLabels: ["RetryableWriteError"] });
        const error = await store.update(record.id, { status: "active", updated_at: "2026-02-02T00:00:00.000Z" }, { expectedVersion: 2 }).catch((caught: unknown) => caught);
        expect(error).toMatchObject({ code: "store_unavailable", retryable: true });
        // WriteConcernFailed (64) is not a retryable code, so the driver does not retry and the store must report it.
        await failPoint({ times: 1 }, { failCommands: ["insert"], writeConcernError: { code: 64, codeName: "WriteConcernFailed", errmsg: "waiting for replication timed out", errInfo: { wtimeout: true } } });
        const second = integrationRecord({ natural_key: null });
        const concern = await store.create(second).catch((caught: unknown) => caught);
        expect(concern).toMatchObject({ code: "store_unavailable", details: { write_may_have_applied: true } });
        expect(await store.get(second.id)).toMatchObject({ id: second.id });
      } finally {
        await failPoint("off" as unknown as Document, {}).catch(() => undefined);
      }
    });
  });
});

describe("MongoStore construction (no server needed)", () => {
  it("takes db.collection(name) as is and touches nothing before its first call", () => {
    // MongoClient connects lazily: nothing listens on port 1, and nothing is tried until an operation runs.
    const unconnected = new MongoClient("mongodb://127.0.0.1:1/sdk");
    expect(new MongoStore(unconnected.db().collection("integrations"))).toBeInstanceOf(MongoStore);
  });

  it("keeps the 1.x name MongoDBStorage as an alias of MongoStore", () => {
    expect(MongoDBStorage).toBe(MongoStore);
    expect(new MongoDBStorage(new MongoClient("mongodb://127.0.0.1:1/sdk").db().collection("integrations"))).toBeInstanceOf(MongoStore);
  });

  it("gives a retryable store_unavailable when no server answers in time", async () => {
    const unreachable = new MongoClient("mongodb://127.0.0.1:1/sdk", { serverSelectionTimeoutMS: 200 });
    try {
      const error = await new MongoStore(unreachable.db().collection("integrations"), { createIndexes: false }).get("int-1").catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: "store_unavailable", retryable: true, details: { operation: "get", reason: "MongoServerSelectionError" } });
    } finally {
      await unreachable.close();
    }
  });
});
