// MongoStore: the PersistentStore on a MongoDB collection the caller owns (`_id` = integration id; 1.x ObjectIds
// read too). Every read goes to the primary, every write waits for a majority, every call has a time limit, and
// no request waits for an index build. It stores what it is given, never decrypts, and never closes the client.
import { SdkError, type Integration, type PersistentStore } from "@sdk/core";
import {
  matchesFilter,
  type IntegrationFilter,
  type IntegrationPatch,
  type StoreScanPage,
  type StoreScanQuery,
  type UpdateOptions,
} from "@sdk/core/provider-kit";
import type { Collection, CreateIndexesOptions, Document, WriteConcernSettings } from "mongodb";
import {
  assertId,
  fromDocument,
  type IntegrationCollection,
  hasLegacyWrite,
  idFilter,
  listQuery,
  toDocument,
  unchangedFilter,
  updateFields,
  upgradeFields,
  versionFilter,
} from "./integration-document.js";
import { scanDocuments } from "./mongo-scan.js";
import { createStoreIndexes } from "./mongo-store-indexes.js";
import { DUPLICATE_KEY, storeFailure } from "./store-failure.js";

export interface MongoStoreOptions {
  /**
   * Start building the store's indexes (see the README) in the background on first use. No call waits for the
   * build; a failed build is kept in `indexFailure` and not retried per call. Production deployments call
   * `ensureIndexes()` at deploy time instead, or let migrations own the indexes and pass `false`.
   * @default true
   */
  createIndexes?: boolean;
  /**
   * Write concern of every write, passed per operation so that a client or connection string with `w: 1` cannot
   * weaken it. With less than `w: "majority"`, a failover can roll back an acknowledged refresh-token rotation and
   * the user has to authorize again. `wtimeoutMS` bounds the wait for replication; when it runs out the write may
   * still have been applied, and the error says so.
   * @default { w: "majority", wtimeoutMS: 10_000 }
   * @see https://www.mongodb.com/docs/manual/reference/write-concern/
   */
  writeConcern?: WriteConcernSettings;
  /**
   * Server-side time limit of every operation (`maxTimeMS`). Driver 7.8+ ignores `timeoutMS`, so the other stages
   * are bounded by the client's `serverSelectionTimeoutMS`, `waitQueueTimeoutMS` and `socketTimeoutMS` (README).
   * @default 10_000
   * @see https://www.mongodb.com/docs/manual/reference/method/cursor.maxTimeMS/
   */
  maxTimeMS?: number;
}

const DEFAULT_WRITE_CONCERN: WriteConcernSettings = { w: "majority", wtimeoutMS: 10_000 };
const DEFAULT_MAX_TIME_MS = 10_000;

function notFound(id: string): SdkError {
  return new SdkError("integration_not_found", `Integration "${id}" does not exist.`, { details: { integration_id: id } });
}

function conflict(id: string, expectedVersion: number, actualVersion: number, legacyWrite = false): SdkError {
  return new SdkError("integration_conflict", `Integration "${id}" changed since it was read; read it again and retry.`, {
    details: { integration_id: id, expected_version: expectedVersion, actual_version: actualVersion, ...(legacyWrite ? { legacy_write: true } : {}) },
  });
}

function naturalKeyTaken(id: string): SdkError {
  return new SdkError("integration_exists", "Another integration of this provider and account already has that natural key.", {
    details: { integration_id: id, conflict: "natural_key" },
  });
}

function unusable(id: unknown): SdkError {
  return new SdkError("store_unavailable", "The store returned a document that is not an integration record.", {
    retryable: false,
    details: { integration_id: typeof id === "string" ? id : undefined },
  });
}

function isDuplicateKey(error: unknown): boolean {
  return Number((error as { code?: unknown } | undefined)?.code) === DUPLICATE_KEY;
}

export class MongoStore implements PersistentStore {
  readonly #documents: Collection<Document>;
  readonly #createIndexes: boolean;
  readonly #writeConcern: WriteConcernSettings;
  readonly #maxTimeMS: number;
  #indexes: Promise<void> | undefined;
  #indexesStarted = false;
  #indexFailure: SdkError | undefined;

  /** Pass `db.collection("integrations")`; the store never closes its client. */
  constructor(collection: IntegrationCollection, options: MongoStoreOptions = {}) {
    this.#documents = collection as unknown as Collection<Document>;
    this.#createIndexes = options.createIndexes ?? true;
    this.#writeConcern = options.writeConcern ?? DEFAULT_WRITE_CONCERN;
    this.#maxTimeMS = options.maxTimeMS ?? DEFAULT_MAX_TIME_MS;
  }

  /**
   * Builds the indexes and resolves when they exist: call it at deploy time (or at startup, before taking traffic).
   * Concurrent calls share one build; after a failure the next call tries again. Throws `misconfigured` when
   * existing documents break natural-key uniqueness (see `findDuplicateNaturalKeys`), when an index with the same
   * keys or name has other options, or on a sharded collection whose shard key does not prefix the unique index.
   * @param options.commitQuorum how many data-bearing members must finish the build; `"majority"` lets a build
   * finish while one voting member is down (the server's default waits for every voting member).
   */
  ensureIndexes(options: Pick<CreateIndexesOptions, "commitQuorum"> = {}): Promise<void> {
    this.#indexes ??= createStoreIndexes(this.#documents, options).then(
      () => {
        this.#indexFailure = undefined;
      },
      (error: unknown) => {
        this.#indexes = undefined;
        throw error;
      },
    );
    return this.#indexes;
  }

  /** Why the background index build of `createIndexes: true` failed, if it did (for health checks and logs). */
  get indexFailure(): SdkError | undefined {
    return this.#indexFailure;
  }

  async get(id: string): Promise<Integration | undefined> {
    assertId(id);
    this.#startIndexes();
    const document = await this.#read("get", () => this.#documents.findOne({ _id: idFilter(id) }, this.#readOptions()));
    return document ? this.#record(document) : undefined;
  }

  async create(record: Integration): Promise<Integration> {
    assertId(record?.id, "record.id");
    this.#startIndexes();
    try {
      await this.#documents.insertOne(toDocument(record), this.#writeOptions());
    } catch (error) {
      if (!isDuplicateKey(error)) throw storeFailure("create", error, true);
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

  /**
   * Compare-and-set in one round trip when it succeeds: the filter holds the expected version and "no 1.x write
   * since", so only a miss (or a 1.x document at version 0) costs a read. A 1.x write found on a miss is folded into
   * a version bump before `integration_conflict`, so the caller's re-read sees it and its retry applies.
   */
  async update(id: string, patch: IntegrationPatch, { expectedVersion }: UpdateOptions): Promise<Integration> {
    assertId(id);
    this.#startIndexes();
    if (expectedVersion > 0) {
      const updated = await this.#update(id, () =>
        this.#documents.findOneAndUpdate(versionFilter(id, expectedVersion), { $set: updateFields(patch, expectedVersion + 1) }, { returnDocument: "after", ...this.#writeOptions() }),
      );
      if (updated) return this.#record(updated);
    }

    const stored = await this.#read("update", () => this.#documents.findOne({ _id: idFilter(id) }, this.#readOptions()));
    if (!stored) throw notFound(id);
    const current = this.#record(stored);
    if (current.version !== expectedVersion) throw conflict(id, expectedVersion, current.version);
    if (hasLegacyWrite(stored)) {
      // A 1.x writer changed the document without moving `version`; whether before or after the caller read it
      // cannot be told, so the write becomes a version bump and the caller reads again.
      await this.#update(id, () => this.#documents.updateOne(unchangedFilter(stored), { $set: upgradeFields(stored, current) }, this.#writeOptions()));
      throw conflict(id, expectedVersion, expectedVersion + 1, true);
    }
    // A document 1.x wrote (version 0), or one that changed between the two calls: one compare-and-set on the values
    // just read applies the patch and brings every field to its 2.0 form.
    const updated = await this.#update(id, () =>
      this.#documents.findOneAndUpdate(
        unchangedFilter(stored),
        { $set: { ...upgradeFields(stored, current), ...updateFields(patch, expectedVersion + 1) } },
        { returnDocument: "after", ...this.#writeOptions() },
      ),
    );
    if (updated) return this.#record(updated);
    const now = await this.#read("update", () => this.#documents.findOne({ _id: idFilter(id) }, { ...this.#readOptions(), projection: { version: 1 } }));
    if (!now) throw notFound(id);
    throw conflict(id, expectedVersion, typeof now.version === "number" ? now.version : 0);
  }

  async delete(id: string): Promise<boolean> {
    assertId(id);
    this.#startIndexes();
    try {
      const result = await this.#documents.deleteOne({ _id: idFilter(id) }, this.#writeOptions());
      return result.deletedCount === 1;
    } catch (error) {
      throw storeFailure("delete", error, true);
    }
  }

  async list(filter: IntegrationFilter): Promise<Integration[]> {
    this.#startIndexes();
    const documents = await this.#read("list", () => this.#documents.find(listQuery(filter), this.#readOptions()).toArray());
    // Sorted here, not by the server: 1.x documents may hold Date timestamps, which sort apart from strings.
    return documents
      .map((document) => this.#record(document))
      .filter((record) => matchesFilter(record, filter))
      .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  /** A page in `_id` order over an indexed range, at most `limit` documents (see mongo-scan.ts). */
  async scan(query: StoreScanQuery): Promise<StoreScanPage> {
    this.#startIndexes();
    return this.#read("scan", () => scanDocuments(this.#documents, query, (document) => this.#record(document), this.#readOptions()));
  }

  /** `createIndexes: true`: one background build per store, never awaited by a call, its failure kept, not retried. */
  #startIndexes(): void {
    if (!this.#createIndexes || this.#indexesStarted) return;
    this.#indexesStarted = true;
    this.ensureIndexes().catch((error: unknown) => {
      this.#indexFailure = SdkError.is(error) ? error : storeFailure("ensureIndexes", error, true);
    });
  }

  /** A read decides what a compare-and-set does next: it must see the primary, never a lagging secondary. */
  #readOptions() {
    return { readPreference: "primary" as const, maxTimeMS: this.#maxTimeMS };
  }

  #writeOptions() {
    return { writeConcern: this.#writeConcern, maxTimeMS: this.#maxTimeMS };
  }

  #record(document: Record<string, unknown>): Integration {
    const record = fromDocument(document);
    if (!record) throw unusable(document._id);
    return record;
  }

  async #read<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw storeFailure(operation, error, false);
    }
  }

  /** An update call; a duplicate key there means the patch moved the record onto a taken natural key. */
  async #update<T>(id: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isDuplicateKey(error)) throw naturalKeyTaken(id);
      throw storeFailure("update", error, true);
    }
  }
}

/** @deprecated 1.x name, kept so 1.x imports compile: use `MongoStore` with a collection (1.x took a Mongoose model). */
export const MongoDBStorage = MongoStore;
/** @deprecated 1.x name: use `MongoStore`. */
export type MongoDBStorage = MongoStore;
