// MongoStore through the real driver against MongoDB's wire-protocol mock (test/wire-mock.py, Debian
// python3-mockupdb) playing a replica-set primary: these tests read the commands as the driver put them on the wire
// (read preference, write concern, time limit, filters, round trips) and how replies map back. The mock answers
// fixtures and evaluates no query, so what a server would match is left to the MONGODB_URL suites.
import { SdkError } from "@sdk/core";
import { MongoClient, ObjectId, type Document } from "mongodb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { integrationRecord } from "../test/fixtures.js";
import { startWireMock, wireMockSkipReason, type WireMock } from "../test/wire-mock.js";
import { MongoStore } from "./mongo-store.js";

const LEGACY_HEX = "65a1b2c3d4e5f60718293a4b";

describe.skipIf(wireMockSkipReason !== undefined)(`MongoStore on the wire${wireMockSkipReason ? ` (skipped: ${wireMockSkipReason})` : ""}`, () => {
  let mock: WireMock;
  let client: MongoClient;
  // The client asks for what the store must not inherit: secondary reads and unacknowledged-by-majority writes.
  beforeEach(async () => {
    mock = await startWireMock();
    client = await new MongoClient(`${mock.url}&readPreference=secondaryPreferred&w=1`).connect();
  });
  afterEach(async () => {
    await client.close();
    await mock.stop();
  });

  const store = (collection: string, options: ConstructorParameters<typeof MongoStore>[1] = {}) =>
    new MongoStore(client.db().collection(collection), { createIndexes: false, ...options });
  const sent = (command: string) => mock.commands().filter((entry) => entry.command === command).map((entry) => entry.body);

  it("reads from the primary although the client prefers secondaries", async () => {
    // Control: a plain read carries the client's preference, so the mock does see $readPreference when it is set.
    await client.db().collection("current").findOne({});
    expect(sent("find")[0]!.$readPreference).toEqual({ mode: "secondaryPreferred" });

    await store("current").get("int-current");
    await store("current").list({ account_id: "acct-1" });
    const [, get, list] = sent("find");
    // Driver rule (lib/cmap/connection.js): to a replica-set member, mode "primary" is sent as no $readPreference.
    expect(get).not.toHaveProperty("$readPreference");
    expect(list).not.toHaveProperty("$readPreference");
    expect(get!.maxTimeMS).toBe(10_000);
    expect(list!.filter).toEqual({ account_id: { $eq: "acct-1" } });
  });

  it("writes with a majority write concern and a time limit although the client says w: 1", async () => {
    await client.db().collection("current").insertOne({ _id: "control" } as Document);
    expect(sent("insert")[0]!.writeConcern).toEqual({ w: 1 });

    const current = store("current");
    await current.create(integrationRecord({ id: "int-new" }));
    await current.update("int-current", { status: "needs_reauth", updated_at: "2026-03-01T00:00:00.000Z" }, { expectedVersion: 2 });
    await current.delete("int-current");
    for (const body of [sent("insert")[1], sent("findAndModify")[0], sent("delete")[0]]) {
      expect(body!.writeConcern).toEqual({ w: "majority", wtimeout: 10_000 });
      expect(body!.maxTimeMS).toBe(10_000);
    }
  });

  it("lets the writeConcern option override the majority (documented risk)", async () => {
    await store("current", { writeConcern: { w: 1 }, maxTimeMS: 2_500 }).delete("int-current");
    expect(sent("delete")[0]).toMatchObject({ writeConcern: { w: 1 }, maxTimeMS: 2_500 });
  });

  it("updates in one round trip when the compare-and-set matches", async () => {
    const updated = await store("current").update("int-current", { status: "needs_reauth", updated_at: "2026-03-01T00:00:00.000Z" }, { expectedVersion: 2 });
    expect(updated).toMatchObject({ id: "int-current", version: 3 });
    expect(mock.commands().map((entry) => entry.command)).toEqual(["findAndModify"]);
    expect(sent("findAndModify")[0]).toMatchObject({
      query: { _id: { $eq: "int-current" }, version: { $eq: 2 }, updated_at: { $not: { $type: "date" } }, updatedAt: { $not: { $type: "date" } } },
      update: { $set: { status: "needs_reauth", updated_at: "2026-03-01T00:00:00.000Z", version: 3 } },
      new: true,
    });
  });

  it("reads only after a miss, to tell a conflict from a missing record", async () => {
    // "stale": findAndModify matches nothing, and the document is at version 3.
    const error = await store("stale").update("int-current", { status: "revoked", updated_at: "2026-03-01T00:00:00.000Z" }, { expectedVersion: 2 }).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "integration_conflict")).toBe(true);
    expect((error as SdkError).details).toMatchObject({ expected_version: 2, actual_version: 3 });
    expect(mock.commands().map((entry) => entry.command)).toEqual(["findAndModify", "find"]);
    const missing = await store("empty").update("int-gone", { status: "revoked", updated_at: "2026-03-01T00:00:00.000Z" }, { expectedVersion: 2 }).catch((caught: unknown) => caught);
    expect(SdkError.is(missing, "integration_not_found")).toBe(true);
  });

  it("reads a document as Mongoose wrote it by its hex id, in get and in list", async () => {
    const record = await store("legacy").get(LEGACY_HEX);
    expect(record).toMatchObject({ id: LEGACY_HEX, version: 0, status: "active", created_at: "2025-05-01T10:00:00.000Z", updated_at: "2025-05-02T10:00:00.000Z" });
    expect(sent("find")[0]!.filter).toEqual({ _id: { $in: [LEGACY_HEX, new ObjectId(LEGACY_HEX)] } });

    const listed = await store("mixed").list({ account_id: "acct-1" });
    // Oldest first: the 1.x document (2025) before the 2.0 one (2026).
    expect(listed.map((item) => item.id)).toEqual([LEGACY_HEX, "int-current"]);
  });

  it("lists a grant family by account and grant key, with the partial index's $type, from the primary", async () => {
    const family = await store("family").list({ account_id: "acct-1", grant_key: "atlassian:alice" });
    const [query] = sent("find");
    expect(query).toMatchObject({ filter: { account_id: { $eq: "acct-1" }, grant_key: { $eq: "atlassian:alice", $type: "string" } } });
    expect(query).not.toHaveProperty("$readPreference");
    expect(family).toEqual([expect.objectContaining({ id: "int-family", grant_key: "atlassian:alice", natural_key: "cloud-a" })]);
    // A record without a grant key reads without one (never a null the SDK would have to tell from "none").
    const [current] = await store("current").list({ account_id: "acct-1" });
    expect(current).not.toHaveProperty("grant_key");
  });

  it("turns a pending 1.x write into a version bump and a conflict, so the caller re-reads before writing", async () => {
    const error = await store("legacy")
      .update(LEGACY_HEX, { status: "revoked", updated_at: "2026-03-01T00:00:00.000Z" }, { expectedVersion: 0 })
      .catch((caught: unknown) => caught);
    expect(SdkError.is(error, "integration_conflict")).toBe(true);
    expect((error as SdkError).details).toMatchObject({ expected_version: 0, actual_version: 1, legacy_write: true });
    expect(mock.commands().map((entry) => entry.command)).toEqual(["find", "update"]);
    const [statement] = sent("update")[0]!.updates as Document[];
    expect(statement!.q).toEqual({
      _id: new ObjectId(LEGACY_HEX),
      version: { $exists: false },
      updated_at: { $exists: false },
      updatedAt: { $eq: new Date("2025-05-02T10:00:00.000Z") },
    });
    expect(statement!.u.$set).toMatchObject({ version: 1, created_at: "2025-05-01T10:00:00.000Z", updatedAt: "2025-05-02T10:00:00.000Z" });
    expect(statement!.u.$set).not.toHaveProperty("status", "revoked");
  });

  it("never sends an operator given as an id", async () => {
    const operator = { $ne: null } as unknown as string;
    const current = store("current");
    for (const call of [() => current.get(operator), () => current.delete(operator), () => current.update(operator, { updated_at: "2026-03-01T00:00:00.000Z" }, { expectedVersion: 1 })]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(SdkError.is(error, "validation_failed")).toBe(true);
    }
    expect(mock.commands()).toEqual([]);
  });

  it("says a write may have been applied when the write concern was not confirmed", async () => {
    const error = await store("write_concern").create(integrationRecord()).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "store_unavailable")).toBe(true);
    expect((error as SdkError).retryable).toBe(true);
    expect((error as SdkError).details).toMatchObject({ write_may_have_applied: true, write_concern_code: 64 });
  });

  it("maps server answers by code and label", async () => {
    const failure = async (collection: string) => (await store(collection).get("int-1").catch((caught: unknown) => caught)) as SdkError;
    expect(await failure("fail_13")).toMatchObject({ code: "misconfigured", retryable: false });
    expect(await failure("fail_2")).toMatchObject({ code: "store_unavailable", retryable: false });
    expect(await failure("fail_2_RetryableWriteError")).toMatchObject({ code: "store_unavailable", retryable: true });
  });

  it("never makes a call wait for the index build, and does not retry a failed build per call", async () => {
    const collection = client.db().collection("current");
    let builds = 0;
    // The build is the one thing replaced: it never finishes, then fails, to show calls neither wait nor rebuild.
    collection.createIndexes = (() => {
      builds += 1;
      return builds === 1 ? Promise.reject(Object.assign(new Error("shard key"), { code: 67 })) : new Promise(() => undefined);
    }) as typeof collection.createIndexes;
    const background = new MongoStore(collection);
    await background.get("int-current");
    await background.get("int-current");
    expect(builds).toBe(1);
    expect(background.indexFailure).toMatchObject({ code: "misconfigured" });
    // An explicit ensureIndexes() (deploy time) does try again.
    void background.ensureIndexes().catch(() => undefined);
    expect(builds).toBe(2);
    expect(await background.get("int-current")).toMatchObject({ id: "int-current" });
  });

  it("builds the indexes on ensureIndexes() with the requested commit quorum", async () => {
    await store("current").ensureIndexes({ commitQuorum: "majority" });
    const [build] = sent("createIndexes");
    expect(build).toMatchObject({
      commitQuorum: "majority",
      indexes: [
        { key: { account_id: 1, provider: 1 } },
        { key: { provider: 1, natural_key: 1, account_id: 1 }, unique: true, partialFilterExpression: { natural_key: { $type: "string" } } },
        { key: { account_id: 1, grant_key: 1 }, partialFilterExpression: { grant_key: { $type: "string" } } },
        { key: { account_id: 1, created_by: 1 } },
        { key: { account_id: 1, _id: 1 } },
        { key: { provider: 1, _id: 1 } },
      ],
    });
  });

  it("scans with an indexed range on _id: sorted, limited, from the primary, string ids then 1.x ObjectIds", async () => {
    const page = await store("mixed").scan({ account_id: "acct-1", after: "int-a", limit: 5 });
    const [strings, objectIds] = sent("find");
    expect(strings).toMatchObject({ filter: { account_id: { $eq: "acct-1" }, _id: { $type: "string", $gt: "int-a" } }, sort: { _id: 1 }, limit: 5, maxTimeMS: 10_000 });
    expect(strings).not.toHaveProperty("$readPreference");
    // The mock answers both documents to the first query (it evaluates none): the second asks only for what is left.
    expect(objectIds).toMatchObject({ filter: { account_id: { $eq: "acct-1" }, _id: { $type: "objectId" } }, sort: { _id: 1 }, limit: 3 });
    expect(page.records.map((record) => record.id)).toEqual(expect.arrayContaining(["int-current", LEGACY_HEX]));

    await store("legacy").scan({ after: LEGACY_HEX, limit: 2 });
    const last = sent("find").at(-1)!;
    expect(last.filter).toEqual({ _id: { $gt: new ObjectId(LEGACY_HEX) } });
    expect(last.limit).toBe(2);
  });
});
