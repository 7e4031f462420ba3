// The records view that core and providers share: decrypts on read, encrypts on write, stamps `updated_at`,
// maps store outages to `store_unavailable`, and upgrades 1.x plaintext credentials on their next write.
import type { CredentialCipher, RecordBinding } from "./credential-cipher.js";
import { readStoredRecord, toSummary, type Integration, type IntegrationFilter, type IntegrationPatch, type IntegrationSummary } from "./integration.js";
import type { Logger } from "./logger.js";
import type { PersistentStore, ReadOptions, StoreScanPage, StoreScanQuery } from "./persistent-store.js";
import { secretStrings, withoutSecrets } from "./without-secrets.js";
import { SdkError } from "./sdk-error.js";

export type IntegrationChanges = Omit<IntegrationPatch, "updated_at">;

/** What a record's envelopes are bound to (see CredentialCipher). */
export function bindingOf(record: Pick<Integration, "id" | "provider" | "account_id" | "metadata">): RecordBinding {
  return { id: record.id, provider: record.provider, account_id: record.account_id, metadata: record.metadata };
}

export class IntegrationRepository {
  readonly #store: PersistentStore;
  readonly #cipher: CredentialCipher;
  readonly #now: () => number;
  readonly #logger: Logger;
  #writes = 0;

  constructor(store: PersistentStore, cipher: CredentialCipher, now: () => number, logger: Logger) {
    this.#store = store;
    this.#cipher = cipher;
    this.#now = now;
    this.#logger = logger;
  }

  /**
   * Counts writes (create, update, delete) made through this repository, finished or failed. A read that started
   * before the count moved may predate a write this process made, so it must not be shared with later callers.
   */
  get writes(): number {
    return this.#writes;
  }

  /** The decrypted record, or undefined. */
  async get(id: string): Promise<Integration | undefined> {
    const stored = await this.#call("get", () => this.#store.get(id));
    return stored ? this.#open(stored) : undefined;
  }

  /**
   * The record with its credentials still sealed (envelopes as stored), or undefined. `open` decrypts it field by
   * field when a provider needs a value; reading envelope key ids needs no key.
   */
  async sealed(id: string): Promise<Integration | undefined> {
    const stored = await this.#call("get", () => this.#store.get(id));
    return stored ? this.#read(stored) : undefined;
  }

  /** The decrypted record, or `integration_not_found`. */
  async require(id: string): Promise<Integration> {
    const found = await this.get(id);
    if (!found) throw new SdkError("integration_not_found", `Integration "${id}" does not exist.`, { details: { integration_id: id } });
    return found;
  }

  async list(filter: IntegrationFilter): Promise<Integration[]> {
    const stored = await this.#call("list", () => this.#store.list(filter));
    return stored.map((record) => this.#open(record));
  }

  /**
   * The record without its credentials, or undefined. Never decrypts: a summary needs no key, so one record under
   * a retired key cannot break `getConnection` / `listConnections`.
   */
  async summary(id: string): Promise<IntegrationSummary | undefined> {
    const stored = await this.#call("get", () => this.#store.get(id));
    return stored ? toSummary(this.#read(stored)) : undefined;
  }

  async summaries(filter: IntegrationFilter): Promise<IntegrationSummary[]> {
    const stored = await this.#call("list", () => this.#store.list(filter));
    return stored.map((record) => toSummary(this.#read(record)));
  }

  /**
   * A page of the store's scan with each record read leniently and its credentials still sealed: a fleet page
   * decrypts nothing it does not use. `open` decrypts a record of the page when it is needed.
   */
  async scan(query: StoreScanQuery): Promise<StoreScanPage> {
    const store = this.#store;
    if (typeof store.scan !== "function") {
      throw new SdkError("unsupported_operation", "The persistent store has no scan(): fleet operations need a store that implements PersistentStore.scan.", {
        details: { operation: "scan" },
      });
    }
    const page = await this.#call("scan", () => store.scan!(query));
    return { records: page.records.map((record) => this.#read(record)), after: page.after };
  }

  /** A record of a scan page with its credentials decrypted on first read. */
  open(record: Integration): Integration {
    return this.#opened(record);
  }

  /** True when the record's credentials are plaintext or under a key other than the primary one. */
  needsReencryption(record: Integration): boolean {
    return this.#cipher.needsUpgrade(record.credentials);
  }

  /** Stores a new record (plaintext credentials in, envelopes at rest). */
  async create(record: Omit<Integration, "version" | "created_at" | "updated_at">): Promise<Integration> {
    const timestamp = new Date(this.#now()).toISOString();
    const sealed: Integration = {
      ...record,
      credentials: this.#cipher.encryptFields(bindingOf(record), record.credentials),
      version: 1,
      created_at: timestamp,
      updated_at: timestamp,
    };
    const created = await this.#call("create", () => this.#store.create(sealed), record.credentials);
    return this.#open(created);
  }

  /**
   * Compare-and-set update against the version `current` was read at. `credentials` replaces the whole set; new
   * `metadata` re-seals the current credentials too, since their envelopes are bound to its routing fields.
   */
  async update(current: Integration, changes: IntegrationChanges): Promise<Integration> {
    const patch: IntegrationPatch = { ...changes, updated_at: new Date(this.#now()).toISOString() };
    const credentials = changes.credentials ?? (changes.metadata !== undefined && this.#cipher.enabled ? { ...current.credentials } : undefined);
    if (credentials) patch.credentials = this.#cipher.encryptFields(bindingOf({ ...current, metadata: changes.metadata ?? current.metadata }), credentials);
    const updated = await this.#call("update", () => this.#store.update(current.id, patch, { expectedVersion: current.version }), changes.credentials);
    return this.#open(updated);
  }

  /**
   * Gives a record written without them (1.x, or before grant keys) the natural key and/or grant key its provider
   * derives, compare-and-set, keeping its `updated_at`: that is the keep-alive's idle clock, and a migration write is
   * not a refresh.
   */
  async assignKeys(current: Integration, keys: { natural_key?: string; grant_key?: string }): Promise<void> {
    await this.#call("update", () => this.#store.update(current.id, { ...keys, updated_at: current.updated_at }, { expectedVersion: current.version }));
  }

  async delete(id: string): Promise<boolean> {
    return this.#call("delete", () => this.#store.delete(id));
  }

  /**
   * Re-encrypts plaintext (1.x) or old-key credentials with the primary key, compare-and-set. Losing a race is
   * fine: whoever won wrote the same credentials. Returns the record as it now stands.
   */
  async upgradeIfNeeded(id: string, options?: ReadOptions): Promise<Integration | undefined> {
    const stored = await this.#call("get", () => (options ? this.#store.get(id, options) : this.#store.get(id)));
    if (!stored) return undefined;
    const record = this.#read(stored);
    const current = this.#opened(record);
    if (!this.#cipher.needsUpgrade(record.credentials)) return current;
    try {
      const upgraded = await this.update(current, { credentials: current.credentials });
      this.#logger.info({ integration_id: id }, "credentials re-encrypted with the primary key");
      return upgraded;
    } catch (error) {
      if (SdkError.is(error, "integration_conflict")) return this.get(id);
      throw error;
    }
  }

  /**
   * Re-encrypts one record whose credentials are plaintext or under an older key, compare-and-set. A writer that gets
   * in between (a refresh storing a rotated token) wins: the record is read again and retried, never overwritten.
   * Decrypting needs the record's old key: `decryption_failed` when it is gone.
   */
  async reencrypt(id: string): Promise<"reencrypted" | "current" | "missing"> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.#call("get", () => this.#store.get(id));
      if (!stored) return "missing";
      const record = this.#read(stored);
      if (!this.#cipher.needsUpgrade(record.credentials)) return "current";
      const current = this.#opened(record);
      try {
        await this.update(current, { credentials: { ...current.credentials } });
        return "reencrypted";
      } catch (error) {
        if (!SdkError.is(error, "integration_conflict") || attempt >= 5) throw error;
      }
    }
  }

  #read(stored: Integration): Integration {
    const record = readStoredRecord(stored);
    if (!record) {
      throw new SdkError("store_unavailable", "The store returned a record that is not an integration.", {
        retryable: false,
        details: { integration_id: typeof (stored as { id?: unknown })?.id === "string" ? (stored as { id: string }).id : undefined },
      });
    }
    return record;
  }

  #open(stored: Integration): Integration {
    return this.#opened(this.#read(stored));
  }

  /** Credentials are decrypted field by field when first read (CredentialCipher.openFields). */
  #opened(record: Integration): Integration {
    return { ...record, credentials: this.#cipher.openFields(bindingOf(record), record.credentials) };
  }

  /** Runs a store call; `credentials` are the plaintext being written, kept out of the cause of a failure. */
  async #call<T>(operation: string, run: () => Promise<T>, credentials?: Record<string, unknown>): Promise<T> {
    const write = operation !== "get" && operation !== "list" && operation !== "scan";
    try {
      return await run();
    } catch (error) {
      if (SdkError.is(error)) throw error;
      throw new SdkError("store_unavailable", `The persistent store failed during "${operation}"; retry later.`, {
        details: { operation },
        cause: withoutSecrets(error, credentials ? secretStrings(credentials) : []),
      });
    } finally {
      if (write) this.#writes += 1;
    }
  }
}
