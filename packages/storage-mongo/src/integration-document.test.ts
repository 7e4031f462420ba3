// Pure tests of the document <-> record mapping and of the filters MongoStore hands the driver; no server involved.
// They show what MongoStore builds, not what a server does with it (mongo-store.test.ts does that with MONGODB_URL).
import { SdkError } from "@sdk/core";
import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { envelope, integrationRecord, legacyDocument, mongooseDocument } from "../test/fixtures.js";
import { assertId, fromDocument, hasLegacyWrite, idFilter, listQuery, toDocument, unchangedFilter, updateFields, upgradeFields, versionFilter } from "./integration-document.js";

const record = integrationRecord({ id: "int-1", version: 3, updated_at: "2026-01-02T00:00:00.000Z" });
const legacy = legacyDocument();

describe("document <-> record", () => {
  it("keeps the id as _id and maps back to an equal record", () => {
    const document = toDocument(record);
    expect(document._id).toBe("int-1");
    expect(document).not.toHaveProperty("id");
    expect(fromDocument(document)).toEqual(record);
  });

  it("reads a 1.x document with snake_case Date timestamps: 2.0 defaults, version 0, ISO strings", () => {
    expect(fromDocument(legacy)).toEqual({
      id: "int-legacy",
      provider: "slack",
      account_id: "acct-1",
      created_by: "user-1",
      auth_type: "oauth2",
      status: "active",
      scopes: ["chat:write"],
      credentials: { access_token: "xoxb-plain" },
      metadata: {},
      natural_key: null,
      version: 0,
      created_at: "2025-05-01T10:00:00.000Z",
      updated_at: "2025-05-02T10:00:00.000Z",
    });
  });

  it("reads a document as Mongoose wrote it: ObjectId _id as its hex id, camelCase createdAt/updatedAt", () => {
    const mongoose = mongooseDocument();
    expect(fromDocument(mongoose)).toMatchObject({
      id: mongoose._id.toHexString(),
      provider: "slack",
      version: 0,
      created_at: "2025-05-01T10:00:00.000Z",
      updated_at: "2025-05-02T10:00:00.000Z",
    });
  });

  it("refuses a document that is not an integration (an _id neither string nor ObjectId, no provider)", () => {
    expect(fromDocument({ ...toDocument(record), _id: 42 })).toBeUndefined();
    expect(fromDocument({ _id: "int-2", account_id: "acct-1" })).toBeUndefined();
  });
});

describe("ids", () => {
  it("refuses anything but a non-empty string, such as an operator object", () => {
    for (const id of [{ $ne: null }, { $gt: "" }, 42, "", undefined, ["int-1"]]) {
      let caught: unknown;
      try {
        assertId(id);
      } catch (error) {
        caught = error;
      }
      expect(SdkError.is(caught, "validation_failed")).toBe(true);
      expect((caught as SdkError).details).toEqual({ field: "id" });
    }
    expect(() => assertId("int-1")).not.toThrow();
  });

  it("matches a string id with $eq, and a 24-hex id also as the ObjectId Mongoose stored", () => {
    expect(idFilter("int-1")).toEqual({ $eq: "int-1" });
    const hex = "65a1b2c3d4e5f60718293a4b";
    expect(idFilter(hex)).toEqual({ $in: [hex, new ObjectId(hex)] });
    // Upper-case hex is not what toHexString() gives, so it is not a 1.x id.
    expect(idFilter(hex.toUpperCase())).toEqual({ $eq: hex.toUpperCase() });
  });
});

describe("compare-and-set filter", () => {
  it("matches the expected version and no 1.x write (no Date timestamp) since 2.0 wrote", () => {
    expect(versionFilter("int-1", 4)).toEqual({
      _id: { $eq: "int-1" },
      version: { $eq: 4 },
      updated_at: { $not: { $type: "date" } },
      updatedAt: { $not: { $type: "date" } },
    });
  });

  it("lets expected version 0 match a 1.x document that has no version field", () => {
    expect(versionFilter("int-1", 0)).toMatchObject({ version: { $in: [0, null] } });
  });

  it("sees a 1.x write in either timestamp spelling", () => {
    expect(hasLegacyWrite(legacy)).toBe(true);
    expect(hasLegacyWrite(mongooseDocument())).toBe(true);
    expect(hasLegacyWrite(toDocument(record))).toBe(false);
  });

  it("pins the values read, a missing field as missing", () => {
    const mongoose = mongooseDocument();
    expect(unchangedFilter(mongoose)).toEqual({
      _id: mongoose._id,
      version: { $exists: false },
      updated_at: { $exists: false },
      updatedAt: { $eq: mongoose.updatedAt },
    });
  });
});

describe("update fields", () => {
  it("sets the patch and the next version, and leaves fields given as undefined alone", () => {
    const fields = updateFields({ status: "needs_reauth", scopes: undefined, updated_at: "2026-02-01T00:00:00.000Z" }, 4);
    expect(fields).toEqual({ status: "needs_reauth", updated_at: "2026-02-01T00:00:00.000Z", version: 4 });
  });

  it("upgrades a 1.x document: fills the fields it lacks, turns Date timestamps into strings, moves the version", () => {
    const mongoose = mongooseDocument();
    const fields = upgradeFields(mongoose, fromDocument(mongoose)!);
    expect(fields).toEqual({
      auth_type: "oauth2",
      status: "active",
      metadata: {},
      natural_key: null,
      created_at: "2025-05-01T10:00:00.000Z",
      updated_at: "2025-05-02T10:00:00.000Z",
      updatedAt: "2025-05-02T10:00:00.000Z",
      version: 1,
    });
    expect(fields).not.toHaveProperty("_id");
    // After the upgrade no Date is left for the compare-and-set filter to take for a 1.x write.
    expect(hasLegacyWrite({ ...mongoose, ...fields })).toBe(false);
    expect(upgradeFields(legacy, fromDocument(legacy)!)).toMatchObject({ created_at: "2025-05-01T10:00:00.000Z", updated_at: "2025-05-02T10:00:00.000Z" });
    expect(updateFields({ credentials: { access_token: envelope }, updated_at: "2026-02-01T00:00:00.000Z" }, 1)).toHaveProperty("credentials.access_token", envelope);
  });
});

describe("list query", () => {
  it("is empty for an empty filter", () => {
    expect(listQuery({})).toEqual({});
  });

  it("maps the grant key to $eq plus its partial index's $type", () => {
    expect(listQuery({ account_id: "acct-1", grant_key: "atlassian:alice" })).toEqual({ account_id: { $eq: "acct-1" }, grant_key: { $eq: "atlassian:alice", $type: "string" } });
    expect(listQuery({ account_id: "acct-1", grant_key: { $ne: null } as unknown as string })).toEqual({ account_id: { $eq: "acct-1" }, grant_key: { $eq: { $ne: null }, $type: "string" } });
  });

  it("maps the creator to $eq, and the 1.x creator \"\" to a missing field too", () => {
    expect(listQuery({ account_id: "acct-1", created_by: "user-1" })).toEqual({ account_id: { $eq: "acct-1" }, created_by: { $eq: "user-1" } });
    expect(listQuery({ account_id: "acct-1", created_by: "" })).toEqual({ account_id: { $eq: "acct-1" }, created_by: { $in: ["", null] } });
    expect(listQuery({ account_id: "acct-1", created_by: { $ne: null } as unknown as string })).toEqual({ account_id: { $eq: "acct-1" }, created_by: { $eq: { $ne: null } } });
  });

  it("maps account, provider and status to $eq, and the natural key to $eq plus the partial index's $type", () => {
    expect(listQuery({ account_id: "acct-1", provider: "jira", natural_key: "cloud-a", status: "revoked" })).toEqual({
      account_id: { $eq: "acct-1" },
      provider: { $eq: "jira" },
      natural_key: { $eq: "cloud-a", $type: "string" },
      status: { $eq: "revoked" },
    });
  });

  it("keeps an operator object a caller passes as a value a value ($eq), not a query", () => {
    expect(listQuery({ account_id: { $ne: null } as unknown as string })).toEqual({ account_id: { $eq: { $ne: null } } });
  });

  it("lets status active match 1.x documents without a status", () => {
    expect(listQuery({ status: "active" })).toEqual({ status: { $in: ["active", null] } });
  });

  it("maps providers to $in and intersects it with provider", () => {
    expect(listQuery({ providers: ["jira", "confluence"] })).toEqual({ provider: { $in: ["jira", "confluence"] } });
    expect(listQuery({ provider: "jira", providers: ["jira", "confluence"] })).toEqual({ provider: { $in: ["jira"] } });
    expect(listQuery({ provider: "slack", providers: ["jira"] })).toEqual({ provider: { $in: [] } });
  });
});

describe("README mongosh snippets", () => {
  it("print the same filters and pipeline as the code (preflight, duplicates)", async () => {
    const { readFile } = await import("node:fs/promises");
    const { LEGACY_DOCUMENT_QUERY, UNREADABLE_DOCUMENT_QUERY } = await import("./migrate-legacy-documents.js");
    const readme = (await readFile(new URL("../README.md", import.meta.url), "utf8")).replace(/\s+/g, "");
    // mongosh spelling: unquoted keys, no whitespace; the README may end the list with a trailing comma.
    const elements = (filter: { $or?: unknown[] }) => filter.$or!.map((item) => JSON.stringify(item).replace(/"(\$?\w+)":/g, "$1:")).join(",");
    expect(readme).toContain(`$or:[${elements(LEGACY_DOCUMENT_QUERY)},]`);
    expect(readme).toContain(`$or:[${elements(UNREADABLE_DOCUMENT_QUERY)},]`);
    const { DUPLICATE_NATURAL_KEYS_PIPELINE } = await import("./mongo-store-indexes.js");
    expect(readme).toContain(`aggregate([${elements({ $or: [...DUPLICATE_NATURAL_KEYS_PIPELINE] })},]`);
  });
});
