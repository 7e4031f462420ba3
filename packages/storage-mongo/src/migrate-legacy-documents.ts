// The 1.x -> 2.0 document migration: a preflight count of what needs it, and a resumable, batch-wise upgrade that
// uses the same compare-and-set as MongoStore, so it can run while 1.x and 2.0 services are both writing.
// `_id`s are kept as they are (ObjectIds too): 1.x services still running look documents up by them.
import type { Collection, Document, Filter, WriteConcernSettings } from "mongodb";
import { fromDocument, recordId, unchangedFilter, upgradeFields, type IntegrationCollection } from "./integration-document.js";
import { storeFailure } from "./store-failure.js";

/**
 * Documents not (or no longer) in 2.0 form: no `version`, a field 2.0 always writes missing, or a Date timestamp
 * (a 1.x write, also one made after 2.0 wrote the document). Paste it into mongosh as the preflight (README).
 */
export const LEGACY_DOCUMENT_QUERY: Filter<Document> = {
  $or: [
    { version: { $exists: false } },
    { status: { $exists: false } },
    { auth_type: { $exists: false } },
    { metadata: { $exists: false } },
    { natural_key: { $exists: false } },
    { created_at: { $not: { $type: "string" } } },
    { updated_at: { $not: { $type: "string" } } },
    { updatedAt: { $type: "date" } },
  ],
};

/** Documents no store can read: an `_id` that is neither a string nor an ObjectId, or no provider / account. */
export const UNREADABLE_DOCUMENT_QUERY: Filter<Document> = {
  $or: [{ $nor: [{ _id: { $type: "string" } }, { _id: { $type: "objectId" } }] }, { provider: { $not: { $type: "string" } } }, { account_id: { $not: { $type: "string" } } }],
};

export interface LegacyDocumentCounts {
  /** Documents the migration would upgrade. */
  legacy: number;
  /** Documents (migrated or not) whose `_id` is a 1.x ObjectId; they keep it, the store reads both kinds. */
  object_ids: number;
  /** Documents no store can read; fix or remove them by hand. */
  unreadable: number;
}

/** The preflight: what the migration would do, read from the primary, nothing written. */
export async function countLegacyDocuments(collection: IntegrationCollection): Promise<LegacyDocumentCounts> {
  const documents = collection as unknown as Collection<Document>;
  const options = { readPreference: "primary" as const };
  try {
    const [legacy, objectIds, unreadable] = await Promise.all([
      documents.countDocuments(LEGACY_DOCUMENT_QUERY, options),
      documents.countDocuments({ _id: { $type: "objectId" } }, options),
      documents.countDocuments(UNREADABLE_DOCUMENT_QUERY, options),
    ]);
    return { legacy, object_ids: objectIds, unreadable };
  } catch (error) {
    throw storeFailure("countLegacyDocuments", error, false);
  }
}

export interface MigrateLegacyDocumentsOptions {
  /**
   * Documents read and written per batch.
   * @default 100
   */
  batchSize?: number;
  /**
   * Write concern of each upgrade; see MongoStoreOptions.writeConcern for why it is a majority.
   * @default { w: "majority", wtimeoutMS: 10_000 }
   */
  writeConcern?: WriteConcernSettings;
  /** Stops between batches when aborted; what was written stays, and a new run continues from there. */
  signal?: AbortSignal;
  /** Called after each batch with the running totals. */
  onBatch?: (progress: LegacyMigrationResult) => void;
}

export interface LegacyMigrationResult {
  /** Documents brought to 2.0 form by this run. */
  upgraded: number;
  /** Documents another writer changed between read and write; a new run picks them up. */
  changed_meanwhile: number;
  /** Record ids (or `_id` strings) of documents that cannot be read as integrations; left as they are. */
  unreadable_ids: string[];
}

/**
 * Upgrades every document of LEGACY_DOCUMENT_QUERY in place: missing fields get their 2.0 defaults, Date timestamps
 * become ISO strings, and `version` moves by one (in-flight 2.0 compare-and-sets then re-read). Resumable by
 * construction: the query itself is the progress, so a stopped or crashed run is simply started again. Idempotent.
 */
export async function migrateLegacyDocuments(collection: IntegrationCollection, options: MigrateLegacyDocumentsOptions = {}): Promise<LegacyMigrationResult> {
  const documents = collection as unknown as Collection<Document>;
  const batchSize = options.batchSize ?? 100;
  const writeConcern = options.writeConcern ?? { w: "majority", wtimeoutMS: 10_000 };
  const result: LegacyMigrationResult = { upgraded: 0, changed_meanwhile: 0, unreadable_ids: [] };
  // Documents this run will not touch again: unreadable ones, and ones another writer changed meanwhile.
  const passed: Document["_id"][] = [];
  while (!options.signal?.aborted) {
    let batch: Document[];
    try {
      batch = await documents.find({ ...LEGACY_DOCUMENT_QUERY, _id: { $nin: passed } } as Filter<Document>, { readPreference: "primary", sort: { _id: 1 }, limit: batchSize }).toArray();
    } catch (error) {
      throw storeFailure("migrateLegacyDocuments", error, false);
    }
    if (batch.length === 0) break;
    for (const stored of batch) {
      const record = fromDocument(stored);
      if (!record) {
        passed.push(stored._id);
        result.unreadable_ids.push(recordId(stored._id) ?? String(stored._id));
        continue;
      }
      try {
        const written = await documents.updateOne(unchangedFilter(stored), { $set: upgradeFields(stored, record) }, { writeConcern });
        if (written.modifiedCount === 1) result.upgraded += 1;
        else {
          passed.push(stored._id);
          result.changed_meanwhile += 1;
        }
      } catch (error) {
        throw storeFailure("migrateLegacyDocuments", error, true);
      }
    }
    options.onBatch?.({ ...result, unreadable_ids: [...result.unreadable_ids] });
  }
  return result;
}
