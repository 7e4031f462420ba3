// Pure tests of the scan's ranges and index prefixes; the scan itself runs in the contract suite (MONGODB_URL).
import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { scanPrefix, scanRanges } from "./mongo-scan.js";

describe("MongoStore scan queries", () => {
  it("reads string ids after the cursor first, then 1.x ObjectIds, and only ObjectIds after an ObjectId's hex id", () => {
    expect(scanRanges(undefined)).toEqual([{ $type: "string" }, { $type: "objectId" }]);
    expect(scanRanges("int-42")).toEqual([{ $type: "string", $gt: "int-42" }, { $type: "objectId" }]);
    const hex = "65a1f0c2e4b0a1b2c3d4e5f6";
    const [range] = scanRanges(hex);
    expect(scanRanges(hex)).toHaveLength(1);
    expect((range!.$gt as ObjectId).toHexString()).toBe(hex);
    // A UUID (every 2.0 id) is never taken for an ObjectId.
    expect(scanRanges("5f8b7c1e-2d3a-4b5c-9d8e-7f6a5b4c3d2e")[0]).toEqual({ $type: "string", $gt: "5f8b7c1e-2d3a-4b5c-9d8e-7f6a5b4c3d2e" });
  });

  it("ranges inside the account's index, else the provider's, else on _id alone, with $eq so no value becomes an operator", () => {
    expect(scanPrefix({ account_id: "acct-1", provider: "jira" })).toEqual({ account_id: { $eq: "acct-1" } });
    expect(scanPrefix({ provider: "jira" })).toEqual({ provider: { $eq: "jira" } });
    expect(scanPrefix({})).toEqual({});
  });
});
