// MongoStore: the PersistentStore on a MongoDB collection the caller owns (`_id` = integration id). Updates are
// compare-and-set through a version filter; 1.x documents read with defaults and are upgraded by their next write.
// It stores what it is given, never decrypts, and never closes the caller's client.
import {
  SdkError,
  matchesFilter,
  type Integration,
  type IntegrationFilter,
  type IntegrationPatch,
  type PersistentStore,
  type StoreScanPage,
  type StoreScanQuery,
  type UpdateOptions,
} from "@sdk/core";
import type { Collection, Document, IndexDescription } from "mongodb";
import { MONGO_SCAN_INDEXES, scanDocuments } from "./mongo-scan.js";
import { fromDocument, listQuery, toDocument, updateFields, versionFilter, type IntegrationDocument } from "./integration-document.js";

export interface MongoStoreOptions {
  /**
   * Create the store's two indexes (see the README) on first use. `createIndexes` is idempotent, so every
   * process may do it; turn it off when migrations own the indexes.
   * @default true
   * @see https://www.mongodb.com/docs/manual/reference/method/db.collection.createIndexes/
   */
  createIndexes?: boolean;
}

/** The indexes MongoStore relies on; default names, so an index a team created by hand with the same keys is reused. */
export const MONGO_STORE_INDEXES: readonly IndexDescription[] = [
  { key: { account_id: 1, provider: 1 } },
  // One integration per (provider, account, natural key); records without a natural key are not constrained.
  { key: { provider: 1, account_id: 1, natural_key: 1 }, unique: true, partialFilterExpression: { natural_key: { $type: "string" } } },
  ...MONGO_SCAN_INDEXES,
];

const DUPLICATE_KEY = 11000;
// IndexOptionsConflict, IndexKeySpecsConflict: an index with these keys or this name exists with other options.
const INDEX_CONFLICTS = new Set([85, 86]);

function errorCode(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
}

/**
 * The driver error stripped to its class name, code and message: driver errors can carry the failing document or
 * query (`errInfo`, `keyValue`), which must not travel with an SdkError.
 */
function storeFailure(operation: string, error: unknown): SdkError {
  if (SdkError.is(error)) return error;
  const name = error instanceof Error ? error.name : typeof error;
  const code = errorCode(error);
  // A duplicate-key message quotes the duplicate values: only the class name is kept then.
  const cause = new Error(error instanceof Error && code !== DUPLICATE_KEY ? error.message : name);
  cause.name = name;
  return new SdkError("store_unavailable", `The MongoDB store failed during "${operation}"; retry later.`, {
    details: { operation, reason: name, ...(typeof code === "number" ? { mongo_code: code } : {}) },
    cause,
  });
}

function notFound(id: string): SdkError {
  return new SdkError("integration_not_found", `Integration "${id}" does not exist.`, { details: { integration_id: id } });
}

function conflict(id: string, expectedVersion: number, actualVersion: number): SdkError {
  return new SdkError("integration_conflict", `Integration "${id}" changed since it was read; read it again and retry.`, {
    details: { integration_id: id, expected_version: expectedVersion, actual_version: actualVersion },
  });
}

function unusable(id: unknown): SdkError {
  return new SdkError("store_unavailable", "The store returned a document that is not an integration record.", {
    retryable: false,
    details: { integration_id: typeof id === "string" ? id : undefined },
  });
}

export class MongoStore implements PersistentStore {
  readonly #collection: Collection<IntegrationDocument>;
  readonly #createIndexes: boolean;
  #indexes: Promise<void> | undefined;

  /** Pass `db.collection("integrations")`; the store never closes its client. */
  constructor(collection: Collection<IntegrationDocument> | Collection<Document>, options: MongoStoreOptions = {}) {
    this.#collection = collection as Collection<IntegrationDocument>;
    this.#createIndexes = options.createIndexes ?? true;
  }

  async get(id: string): Promise<Integration | undefined> {
    await this.#ready();
    const document = await this.#call("get", () => this.#collection.findOne({ _id: id }));
    return document ? this.#record(document) : undefined;
  }

  async create(record: Integration): Promise<Integration> {
    await this.#ready();
    try {
      await this.#collection.insertOne(toDocument(record));
    } catch (error) {
      if (errorCode(error) !== DUPLICATE_KEY) throw storeFailure("create", error);
      // The server names the violated index in `keyPattern`; only the unique natural-key index has `natural_key`.
      const onId = !("natural_key" in ((error as { keyPattern?: object }).keyPattern ?? {}));
      throw new SdkError(
        "integration_exists",
        onId
          ? `Integration "${record.id}" already exists.`
          : `An integration of provider "${record.provider}" with the same natural key already exists for this account.`,
        { details: { integration_id: record.id, conflict: onId ? "id" : "natural_key" } },
      );
    }
    return structuredClone(record);
  }

  async update(id: string, patch: IntegrationPatch, { expectedVersion }: UpdateOptions): Promise<Integration> {
    await this.#ready();
    const stored = await this.#call("update", () => this.#collection.findOne({ _id: id }));
    if (!stored) throw notFound(id);
    const current = this.#record(stored);
    if (current.version !== expectedVersion) throw conflict(id, expectedVersion, current.version);

    let updated: IntegrationDocument | null;
    try {
      updated = await this.#collection.findOneAndUpdate(
        versionFilter(id, expectedVersion),
        { $set: updateFields(stored, current, patch, expectedVersion + 1) },
        { returnDocument: "after" },
      );
    } catch (error) {
      if (errorCode(error) !== DUPLICATE_KEY) throw storeFailure("update", error);
      throw new SdkError("integration_exists", `Another integration of this provider and account already has that natural key.`, {
        details: { integration_id: id, conflict: "natural_key" },
      });
    }
    if (updated) return this.#record(updated);

    // The version filter did not match: the record was deleted or another writer moved its version.
    const now = await this.#call("update", () => this.#collection.findOne({ _id: id }, { projection: { version: 1 } }));
    if (!now) throw notFound(id);
    throw conflict(id, expectedVersion, typeof now.version === "number" ? now.version : 0);
  }

  async delete(id: string): Promise<boolean> {
    await this.#ready();
    const result = await this.#call("delete", () => this.#collection.deleteOne({ _id: id }));
    return result.deletedCount === 1;
  }

  async list(filter: IntegrationFilter): Promise<Integration[]> {
    await this.#ready();
    const documents = await this.#call("list", () => this.#collection.find(listQuery(filter)).toArray());
    // Sorted here, not by the server: 1.x documents may hold Date timestamps, which sort apart from strings.
    return documents
      .map((document) => this.#record(document))
      .filter((record) => matchesFilter(record, filter))
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  /** A page in `_id` order over an indexed range (see mongo-scan.ts). */
  async scan(query: StoreScanQuery): Promise<StoreScanPage> {
    await this.#ready();
    return this.#call("scan", () => scanDocuments(this.#collection as unknown as Collection<Document>, query, (document) => this.#record(document)));
  }

  /** Creates the indexes once per store; a failed attempt is retried by the next call. */
  #ready(): Promise<void> {
    if (!this.#createIndexes) return Promise.resolve();
    this.#indexes ??= this.#collection.createIndexes([...MONGO_STORE_INDEXES]).then(
      () => undefined,
      (error: unknown) => {
        this.#indexes = undefined;
        const code = errorCode(error);
        if (typeof code === "number" && (INDEX_CONFLICTS.has(code) || code === DUPLICATE_KEY)) {
          throw new SdkError(
            "misconfigured",
            "MongoStore could not create its indexes: an index with the same keys exists with other options, or existing documents break the unique natural key. Fix the collection, or create the indexes yourself and pass { createIndexes: false }.",
            { details: { operation: "createIndexes", mongo_code: code } },
          );
        }
        throw storeFailure("createIndexes", error);
      },
    );
    return this.#indexes;
  }

  #record(document: Record<string, unknown>): Integration {
    const record = fromDocument(document);
    if (!record) throw unusable(document._id);
    return record;
  }

  async #call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw storeFailure(operation, error);
    }
  }
}

/** @deprecated 1.x name, kept so 1.x imports compile: use `MongoStore` with a collection (1.x took a Mongoose model). */
export const MongoDBStorage = MongoStore;
/** @deprecated 1.x name: use `MongoStore`. */
export type MongoDBStorage = MongoStore;
