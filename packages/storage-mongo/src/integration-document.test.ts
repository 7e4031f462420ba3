// Pure tests of the document <-> record mapping and of the filters MongoStore hands the driver; no server involved.
import { describe, expect, it } from "vitest";
import { envelope, integrationRecord, legacyDocument } from "../test/fixtures.js";
import { fromDocument, listQuery, toDocument, updateFields, versionFilter } from "./integration-document.js";

const record = integrationRecord({ id: "int-1", version: 3, updated_at: "2026-01-02T00:00:00.000Z" });
const legacy = legacyDocument();

describe("document <-> record", () => {
  it("keeps the id as _id and maps back to an equal record", () => {
    const document = toDocument(record);
    expect(document._id).toBe("int-1");
    expect(document).not.toHaveProperty("id");
    expect(fromDocument(document)).toEqual(record);
  });

  it("reads a 1.x document with the 2.0 defaults, version 0 and ISO timestamps", () => {
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

  it("refuses a document that is not an integration (no string _id, no provider)", () => {
    expect(fromDocument({ ...toDocument(record), _id: 42 })).toBeUndefined();
    expect(fromDocument({ _id: "int-2", account_id: "acct-1" })).toBeUndefined();
  });
});

describe("compare-and-set filter", () => {
  it("matches the expected version", () => {
    expect(versionFilter("int-1", 4)).toEqual({ _id: "int-1", version: 4 });
  });

  it("lets expected version 0 match a 1.x document that has no version field", () => {
    expect(versionFilter("int-1", 0)).toEqual({ _id: "int-1", $or: [{ version: 0 }, { version: { $exists: false } }] });
  });
});

describe("update fields", () => {
  it("sets the patch and the next version, and leaves fields given as undefined alone", () => {
    const fields = updateFields(toDocument(record), record, { status: "needs_reauth", scopes: undefined, updated_at: "2026-02-01T00:00:00.000Z" }, 4);
    expect(fields).toEqual({ status: "needs_reauth", updated_at: "2026-02-01T00:00:00.000Z", version: 4 });
  });

  it("upgrades a 1.x document: fills the fields it lacks and turns Date timestamps into strings", () => {
    const current = fromDocument(legacy)!;
    const fields = updateFields(legacy, current, { credentials: { access_token: envelope }, updated_at: "2026-02-01T00:00:00.000Z" }, 1);
    expect(fields).toEqual({
      auth_type: "oauth2",
      status: "active",
      metadata: {},
      natural_key: null,
      created_at: "2025-05-01T10:00:00.000Z",
      credentials: { access_token: envelope },
      updated_at: "2026-02-01T00:00:00.000Z",
      version: 1,
    });
    expect(fields).not.toHaveProperty("_id");
  });
});

describe("list query", () => {
  it("is empty for an empty filter", () => {
    expect(listQuery({})).toEqual({});
  });

  it("maps account, provider, natural key and a non-default status as equalities", () => {
    expect(listQuery({ account_id: "acct-1", provider: "jira", natural_key: "cloud-a", status: "revoked" })).toEqual({
      account_id: "acct-1",
      provider: "jira",
      natural_key: "cloud-a",
      status: "revoked",
    });
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
