// MongoStore against a real MongoDB (MONGODB_URL): the PersistentStore contract plus the Mongo-only promises
// (indexes, 1.x documents, natural-key uniqueness). Without MONGODB_URL every suite is skipped and says why.
import { SdkError } from "@sdk/core";
import { runPersistentStoreContract } from "@sdk/core/testing";
import { MongoClient, type Collection, type Db, type Document, type ObjectId } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { envelope, integrationRecord, legacyDocument, uniqueName } from "../test/fixtures.js";
import type { IntegrationDocument } from "./integration-document.js";
import { MongoDBStorage, MongoStore } from "./mongo-store.js";

const url = process.env.MONGODB_URL;
const skipReason = url ? undefined : "needs MONGODB_URL (no MongoDB server can be installed on this machine)";

let client: MongoClient | undefined;
async function database(): Promise<Db> {
  client ??= await new MongoClient(url!, { serverSelectionTimeoutMS: 5_000 }).connect();
  return client.db();
}

afterAll(async () => {
  await client?.close();
});

async function freshCollection(): Promise<Collection<IntegrationDocument>> {
  return (await database()).collection<IntegrationDocument>(uniqueName("integrations_test"));
}

runPersistentStoreContract(
  "MongoStore",
  async () => {
    const collection = await freshCollection();
    return {
      store: new MongoStore(collection),
      raw: async (id) => (await collection.findOne({ _id: id })) ?? undefined,
      cleanup: async () => {
        await collection.drop().catch(() => undefined);
      },
    };
  },
  { skipReason },
);

describe.skipIf(skipReason !== undefined)(`MongoStore on MongoDB${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  it("creates its indexes on first use, idempotently across stores", async () => {
    const collection = await freshCollection();
    try {
      await new MongoStore(collection).list({});
      await new MongoStore(collection).list({});
      const indexes = await collection.listIndexes().toArray();
      expect(indexes.map((index) => index.key)).toEqual(
        expect.arrayContaining([{ account_id: 1, provider: 1 }, { provider: 1, account_id: 1, natural_key: 1 }]),
      );
      const unique = indexes.find((index) => index.unique);
      expect(unique?.partialFilterExpression).toEqual({ natural_key: { $type: "string" } });
    } finally {
      await collection.drop().catch(() => undefined);
    }
  });

  it("refuses a second integration with the same provider, account and natural key (integration_exists)", async () => {
    const collection = await freshCollection();
    try {
      const store = new MongoStore(collection);
      await store.create(integrationRecord());
      const error = await store.create(integrationRecord()).catch((caught: unknown) => caught);
      expect(SdkError.is(error, "integration_exists")).toBe(true);
      expect((error as SdkError).details.conflict).toBe("natural_key");
      // Records without a natural key are not constrained.
      await store.create(integrationRecord({ natural_key: null }));
      await store.create(integrationRecord({ natural_key: null }));
      expect(await store.list({ account_id: "acct-1" })).toHaveLength(3);
    } finally {
      await collection.drop().catch(() => undefined);
    }
  });

  it("reads a 1.x document and upgrades it on its next write", async () => {
    // Untyped on purpose, as most callers pass it: a 1.x document lacks fields the 2.0 document type requires.
    const collection = (await database()).collection(uniqueName("integrations_test"));
    try {
      const store = new MongoStore(collection);
      await collection.insertOne(legacyDocument() as unknown as Document);
      expect(await store.get("int-legacy")).toMatchObject({ version: 0, status: "active", created_at: "2025-05-01T10:00:00.000Z" });
      expect((await store.list({ account_id: "acct-1", status: "active" })).map((found) => found.id)).toEqual(["int-legacy"]);

      const upgraded = await store.update("int-legacy", { credentials: { access_token: envelope }, updated_at: "2026-02-01T00:00:00.000Z" }, { expectedVersion: 0 });
      expect(upgraded.version).toBe(1);
      const raw = await collection.findOne({ _id: "int-legacy" as unknown as ObjectId });
      expect(raw).toMatchObject({ version: 1, status: "active", natural_key: null, created_at: "2025-05-01T10:00:00.000Z", credentials: { access_token: envelope } });
      expect(JSON.stringify(raw)).not.toContain("xoxb-plain");
    } finally {
      await collection.drop().catch(() => undefined);
    }
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
});
