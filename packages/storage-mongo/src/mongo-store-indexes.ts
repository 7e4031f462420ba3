// The indexes MongoStore relies on, their creation (for deploy time, never on a request's path) and the
// aggregation that finds the duplicates which would make the unique natural-key index fail to build.
import { SdkError } from "@sdk/core";
import type { Collection, CreateIndexesOptions, Document, IndexDescription } from "mongodb";
import { recordId, type IntegrationCollection } from "./integration-document.js";
import { MONGO_SCAN_INDEXES } from "./mongo-scan.js";
import { DUPLICATE_KEY, storeFailure } from "./store-failure.js";

/**
 * The indexes MongoStore relies on, with default names, so an index created by hand with the same keys is reused.
 * Key order follows the queries the SDK runs: `list` by account (and provider or providers), the natural-key
 * lookups by provider + natural key (Sentry uninstall, no account) or provider + natural key + account (upsert), and
 * the grant family by account + grant key, an SDK user's records by account + creator.
 */
export const MONGO_STORE_INDEXES: readonly IndexDescription[] = [
  { key: { account_id: 1, provider: 1 } },
  // One integration per (provider, account, natural key); records without a natural key are not constrained.
  { key: { provider: 1, natural_key: 1, account_id: 1 }, unique: true, partialFilterExpression: { natural_key: { $type: "string" } } },
  // A grant family (Atlassian: one Atlassian user's records of an account), not unique; records without a grant key
  // (1.x, or written before grant keys) are left out until `sdk.backfillNaturalKeys` gives them theirs.
  { key: { account_id: 1, grant_key: 1 }, partialFilterExpression: { grant_key: { $type: "string" } } },
  // What one SDK user connected in an account (Atlassian's install scopes), whatever else the account holds.
  { key: { account_id: 1, created_by: 1 } },
  // The fleet scan's ranges on `_id` inside one account or one provider (mongo-scan.ts).
  ...MONGO_SCAN_INDEXES,
];

/** One (provider, account, natural key) held by more than one document: the unique index cannot be built over it. */
export interface DuplicateNaturalKey {
  provider: string;
  account_id: string;
  natural_key: string;
  /** Record ids of the documents sharing it (ObjectId `_id`s as their hex string), oldest `_id` first. */
  integration_ids: string[];
}

/** Groups of documents sharing a natural key, oldest `_id` first; the README prints it for mongosh. */
export const DUPLICATE_NATURAL_KEYS_PIPELINE: readonly Document[] = [
  { $match: { natural_key: { $type: "string" } } },
  { $sort: { _id: 1 } },
  { $group: { _id: { provider: "$provider", account_id: "$account_id", natural_key: "$natural_key" }, ids: { $push: "$_id" }, count: { $sum: 1 } } },
  { $match: { count: { $gt: 1 } } },
];

/**
 * The documents that break natural-key uniqueness. Run it before `ensureIndexes()` on a collection 1.x or an earlier
 * 2.0 build wrote, and keep one document per group (usually the newest `updated_at`). Reads the primary.
 * The same pipeline for mongosh is in the README.
 */
export async function findDuplicateNaturalKeys(collection: IntegrationCollection): Promise<DuplicateNaturalKey[]> {
  const documents = collection as unknown as Collection<Document>;
  try {
    const groups = await documents.aggregate([...DUPLICATE_NATURAL_KEYS_PIPELINE], { readPreference: "primary", allowDiskUse: true }).toArray();
    return groups.map((group) => ({
      provider: String(group._id.provider),
      account_id: String(group._id.account_id),
      natural_key: String(group._id.natural_key),
      integration_ids: (group.ids as unknown[]).map((id) => recordId(id) ?? String(id)),
    }));
  } catch (error) {
    throw storeFailure("findDuplicateNaturalKeys", error, false);
  }
}

/** Builds the indexes; a duplicate or a conflicting index becomes `misconfigured` naming what to do. */
export async function createStoreIndexes(collection: Collection<Document>, options: Pick<CreateIndexesOptions, "commitQuorum">): Promise<void> {
  try {
    // The build uses the collection's write concern: the driver takes none per createIndexes call.
    await collection.createIndexes([...MONGO_STORE_INDEXES], options);
  } catch (error) {
    const code = Number((error as { code?: unknown })?.code);
    if (code === DUPLICATE_KEY) {
      throw new SdkError(
        "misconfigured",
        "MongoStore could not build its unique natural-key index: existing documents share a provider, account and natural key. List them with findDuplicateNaturalKeys(collection), keep one of each, then run ensureIndexes() again.",
        { details: { operation: "ensureIndexes", mongo_code: code } },
      );
    }
    throw storeFailure("ensureIndexes", error, true);
  }
}
