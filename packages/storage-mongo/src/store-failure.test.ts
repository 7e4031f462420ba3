// Error mapping with the driver's real error classes (constructed as the driver constructs them): which failures a
// retry can fix, which are configuration, and which writes may have been applied. No server involved.
import { SdkError } from "@sdk/core";
import {
  MongoClient,
  MongoClientClosedError,
  MongoInvalidArgumentError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoNotConnectedError,
  MongoParseError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
} from "mongodb";
import { describe, expect, it } from "vitest";
import { storeFailure } from "./store-failure.js";

const server = (fields: Record<string, unknown>) => new MongoServerError({ errmsg: "server says no", ...fields });

describe("storeFailure: not retryable", () => {
  it.each([
    ["authentication failed (18)", server({ code: 18 }), "misconfigured"],
    ["not authorized (13)", server({ code: 13 }), "misconfigured"],
    ["an index with other options (85)", server({ code: 85 }), "misconfigured"],
    ["a unique index the shard key does not prefix (67)", server({ code: 67 }), "misconfigured"],
    ["an invalid argument", new MongoInvalidArgumentError("Document is larger than the maximum size 16777216"), "misconfigured"],
    ["a connection string that does not parse", new MongoParseError("Invalid scheme"), "misconfigured"],
    ["document validation (121)", server({ code: 121, errInfo: { details: { secret: "xoxb-in-errinfo" } } }), "store_unavailable"],
    ["a document over 16 MB (10334)", server({ code: 10334 }), "store_unavailable"],
    ["a closed client", new MongoClientClosedError(), "store_unavailable"],
    ["a closed topology", new MongoTopologyClosedError(), "store_unavailable"],
    ["a client never connected", new MongoNotConnectedError("not connected"), "store_unavailable"],
    ["an unknown server error (BadValue, 2)", server({ code: 2 }), "store_unavailable"],
    ["something that is not a driver error", new TypeError("boom"), "store_unavailable"],
  ])("%s", (_label, error, code) => {
    const mapped = storeFailure("get", error, false);
    expect(mapped.code).toBe(code);
    expect(mapped.retryable).toBe(false);
    expect(mapped.details.operation).toBe("get");
  });
});

describe("storeFailure: retryable", () => {
  it.each([
    ["a network error", new MongoNetworkError("connection reset")],
    ["a network timeout (a MongoNetworkError subclass)", new MongoNetworkTimeoutError("timed out")],
    ["server selection timing out", new MongoServerSelectionError("Server selection timed out after 30000 ms", {} as never)],
    ["not primary during an election (10107)", server({ code: 10107 })],
    ["primary stepped down (189)", server({ code: 189 })],
    ["the operation time limit (50, MaxTimeMSExpired)", server({ code: 50 })],
    ["an error the server labels RetryableWriteError", server({ code: 2, errorLabels: ["RetryableWriteError"] })],
  ])("%s", (_label, error) => {
    const mapped = storeFailure("get", error, false);
    expect(mapped.code).toBe("store_unavailable");
    expect(mapped.retryable).toBe(true);
    expect(mapped.details).not.toHaveProperty("write_may_have_applied");
  });

  it("reports the label it saw", () => {
    expect(storeFailure("update", server({ code: 2, errorLabels: ["RetryableWriteError"] }), true).details.labels).toEqual(["RetryableWriteError"]);
  });
});

it("maps the MongoServerSelectionError the driver really throws when no server answers", async () => {
  // Nothing listens on port 1: the real driver runs server selection and gives up after 200 ms.
  const client = new MongoClient("mongodb://127.0.0.1:1/sdk", { serverSelectionTimeoutMS: 200 });
  try {
    const error = await client.db().collection("integrations").findOne({}).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe("MongoServerSelectionError");
    const mapped = storeFailure("get", error, false);
    expect(mapped).toMatchObject({ code: "store_unavailable", retryable: true });
  } finally {
    await client.close();
  }
});

describe("storeFailure: a write that may have been applied", () => {
  it("says so for a write-concern error, and keeps it retryable (compare-and-set makes the retry safe)", () => {
    const error = new MongoWriteConcernError({ ok: 1, writeConcernError: { code: 64, errmsg: "waiting for replication timed out", errInfo: { wtimeout: true } } });
    const mapped = storeFailure("update", error, true);
    expect(mapped.code).toBe("store_unavailable");
    expect(mapped.retryable).toBe(true);
    expect(mapped.details).toMatchObject({ write_may_have_applied: true, write_concern_code: 64, operation: "update" });
    expect(mapped.message).toContain("may have been applied");
  });

  it("says so for a network error during a write, not during a read", () => {
    expect(storeFailure("create", new MongoNetworkError("reset"), true).details.write_may_have_applied).toBe(true);
    expect(storeFailure("get", new MongoNetworkError("reset"), false).details).not.toHaveProperty("write_may_have_applied");
  });
});

describe("storeFailure: what travels", () => {
  it("keeps the class, code and labels, never the driver's message or payload", () => {
    const error = server({ code: 11000, errmsg: "E11000 duplicate key { natural_key: \"cloud-secret\" }", keyValue: { natural_key: "cloud-secret" } });
    const mapped = storeFailure("create", error, true);
    const everything = JSON.stringify({ ...mapped.toJSON(), cause: String(mapped.cause), causeMessage: (mapped.cause as Error).message });
    expect(everything).not.toContain("cloud-secret");
    expect(mapped.details).toMatchObject({ reason: "MongoServerError", mongo_code: 11000 });
    const validation = storeFailure("create", server({ code: 121, errInfo: { details: { secret: "xoxb-in-errinfo" } } }), true);
    expect(JSON.stringify(validation.toJSON()) + (validation.cause as Error).message).not.toContain("xoxb-in-errinfo");
  });

  it("passes an SdkError through unchanged", () => {
    const original = new SdkError("integration_not_found", "gone");
    expect(storeFailure("get", original, false)).toBe(original);
  });
});
