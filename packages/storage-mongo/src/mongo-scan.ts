// MongoStore's fleet scan: an indexed range on `_id` (alone, or after `account_id` / `provider` in the scan
// indexes), at most `limit` documents per page, the remaining filters checked on the records. 1.x documents whose
// `_id` is an ObjectId sort after every string id (BSON order), so they are paged after the string ids.
import { type Integration } from "@sdk/core";
import { matchesFilter, type StoreScanPage, type StoreScanQuery } from "@sdk/core/provider-kit";
import { ObjectId, type Collection, type Document, type FindOptions, type IndexDescription } from "mongodb";
import { OBJECT_ID_HEX } from "./integration-document.js";

/** The indexes the scan's ranges use, besides the `_id` index every collection has. */
export const MONGO_SCAN_INDEXES: readonly IndexDescription[] = [{ key: { account_id: 1, _id: 1 } }, { key: { provider: 1, _id: 1 } }];


/** The equality prefix of the scan's index: the account, else the provider, else nothing (the `_id` index). */
export function scanPrefix(query: Pick<StoreScanQuery, "account_id" | "provider">): Document {
  if (query.account_id !== undefined) return { account_id: { $eq: query.account_id } };
  return query.provider !== undefined ? { provider: { $eq: query.provider } } : {};
}

/**
 * The `_id` ranges one page reads, in order: string ids after `after`, then (once those are exhausted) ObjectIds.
 * After an ObjectId's hex id, only the ObjectIds after it are left.
 */
export function scanRanges(after: string | undefined): Document[] {
  if (after !== undefined && OBJECT_ID_HEX.test(after)) return [{ $gt: new ObjectId(after) }];
  return [after === undefined ? { $type: "string" } : { $type: "string", $gt: after }, { $type: "objectId" }];
}

/** One page: `read` turns a document into a record (or throws for one that is not an integration). */
export async function scanDocuments(
  collection: Collection<Document>,
  query: StoreScanQuery,
  read: (document: Document) => Integration,
  options: FindOptions = {},
): Promise<StoreScanPage> {
  const { after, limit, ...filter } = query;
  const documents: Document[] = [];
  for (const range of scanRanges(after)) {
    const found = await collection
      .find({ ...scanPrefix(filter), _id: range }, options)
      .sort({ _id: 1 })
      .limit(limit - documents.length)
      .toArray();
    documents.push(...found);
    if (documents.length === limit) break;
  }
  const records = documents.map(read);
  return {
    records: records.filter((record) => matchesFilter(record, filter)),
    after: documents.length === limit ? records[records.length - 1]!.id : null,
  };
}
