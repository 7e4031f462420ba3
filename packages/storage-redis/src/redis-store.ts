// RedisStore: the PersistentStore for teams that keep integrations in Redis (with AOF). Every write is one Lua
// script that checks the record and moves it and its index sets together (redis-record-write.ts); every key carries
// the `{prefix}` hash tag so one script's keys share a Cluster slot (redis-store-keys.ts). It never decrypts.
import { SdkError, type Integration, type PersistentStore, type StoreHealthCheck } from "@sdk/core";
import {
  matchesFilter,
  readStoredRecord,
  type IntegrationFilter,
  type IntegrationPatch,
  type ReadOptions,
  type StoreScanPage,
  type StoreScanQuery,
  type UpdateOptions,
} from "@sdk/core/provider-kit";
import type { RedisClient } from "./redis-client.js";
import { RedisDeploymentCheck } from "./redis-deployment-check.js";
import { guardRedis } from "./redis-failure.js";
import { readBatch } from "./redis-read-batch.js";
import { RedisAccountIndex } from "./redis-account-index.js";
import { ParsedRecordMemo } from "./parsed-record-memo.js";
import { RedisRecordTier } from "./redis-record-tier.js";
import { writeRecord, type WriteOutcome, type WritePlan } from "./redis-record-write.js";
import { RedisScanIndex } from "./redis-scan-index.js";
import { conflict, naturalKeyTaken, notFound } from "./redis-store-errors.js";
import { RedisStoreKeys } from "./redis-store-keys.js";
import type { RedisStoreOptions } from "./redis-store-options.js";

/** How often an update or delete re-reads after the record changed without its version moving (a 1.x writer). */
const MAX_ATTEMPTS = 3;

interface StoredRecord {
  json: string;
  record: Integration;
}

/** A patch field given as `undefined` leaves the stored value alone (JSON would otherwise drop the field). */
function applyPatch(record: Integration, patch: IntegrationPatch, version: number): Integration {
  const next: Record<string, unknown> = { ...record };
  for (const [field, value] of Object.entries(patch)) {
    if (value !== undefined) next[field] = value;
  }
  return { ...(next as unknown as Integration), version };
}

export class RedisStore implements PersistentStore {
  readonly #client: RedisClient;
  readonly #keys: RedisStoreKeys;
  readonly #tier: RedisRecordTier | undefined;
  readonly #memo = new ParsedRecordMemo();
  readonly #scanIndex: RedisScanIndex;
  readonly #deployment: RedisDeploymentCheck;
  readonly #accountProvider: RedisAccountIndex;
  readonly #accountCreator: RedisAccountIndex;

  /** `client` stays the caller's: the store never closes it. */
  constructor(client: RedisClient, options: RedisStoreOptions = {}) {
    const prefix = options.keyPrefix ?? "sdk:integrations";
    if (prefix === "" || /[{}]/.test(prefix)) {
      throw new SdkError("misconfigured", `RedisStore "keyPrefix" must be non-empty and contain no "{" or "}": it becomes the Cluster hash tag.`, {
        details: { field: "keyPrefix" },
      });
    }
    this.#client = client;
    this.#deployment = new RedisDeploymentCheck(client, "store", options.evictionPolicyCheck);
    this.#keys = new RedisStoreKeys(prefix);
    this.#scanIndex = new RedisScanIndex(client, this.#keys.tag);
    this.#accountProvider = new RedisAccountIndex(client, this.#keys.tag, "provider");
    this.#accountCreator = new RedisAccountIndex(client, this.#keys.tag, "created_by");
    if (options.recordTier) {
      const { maxEntries, maxTtlMs } = options.recordTier;
      if (!Number.isInteger(maxEntries) || maxEntries <= 0 || !Number.isInteger(maxTtlMs) || maxTtlMs <= 0) {
        throw new SdkError("misconfigured", `RedisStore "recordTier" needs positive integers "maxEntries" and "maxTtlMs".`, { details: { field: "recordTier" } });
      }
      this.#tier = new RedisRecordTier(client, this.#keys.channel(), options.recordTier);
    }
  }

  async get(id: string, options?: ReadOptions): Promise<Integration | undefined> {
    const gate = this.#deployment.gate();
    if (gate) await gate;
    const tier = options?.tier ? this.#tier : undefined;
    if (!tier) return (await this.#read(id, "get"))?.record;
    const asked = Date.now();
    const hit = tier.read(id, asked);
    if (hit !== undefined) return hit;
    const fill = tier.begin(id);
    let record: Integration | null = null;
    try {
      const json = await guardRedis("store_unavailable", "get", () => readBatch(this.#client).get(this.#keys.record(id), true));
      record = json === null ? null : this.#remembered(id, json);
    } finally {
      tier.complete(id, fill, record, asked);
    }
    return record ?? undefined;
  }

  /**
   * Fills the index sets for records an earlier 2.0 build wrote (the scan, account-provider and account-creator sets),
   * so no request pays that one-time walk of the store: call it at deploy time, like MongoStore's. Without it, the
   * first `scan` or indexed `list` of each kind in each process walks the store once. `{ again: true }` walks even
   * where a marker says it was done: run it once the last process of an earlier build has stopped, since records it
   * wrote after the first walk are in no set yet. Idempotent; any number of processes may run it at once.
   */
  async ensureIndexes(options: { again?: boolean } = {}): Promise<void> {
    if (typeof options !== "object" || options === null || (options.again !== undefined && typeof options.again !== "boolean")) {
      throw new SdkError("validation_failed", `RedisStore ensureIndexes "again" must be a boolean.`, { details: { field: "ensureIndexes.again" } });
    }
    const gate = this.#deployment.gate();
    if (gate) await gate;
    const read = (ids: string[]) => this.#readMany(ids, "ensureIndexes");
    const walk = { again: options.again === true };
    await guardRedis("store_unavailable", "ensureIndexes", async () => {
      await this.#scanIndex.ensureBackfilled(read, walk);
      await this.#accountProvider.ensureBackfilled(read, walk);
      await this.#accountCreator.ensureBackfilled(read, walk);
    });
  }

  /**
   * For `sdk.checkHealth()`: PING, then a fresh reading of the settings the first use checks (eviction policy, Cluster
   * mode, persistence). Names settings and nodes only, never a key or a value.
   */
  async checkHealth(): Promise<StoreHealthCheck[]> {
    return this.#deployment.inspect();
  }

  /** Closes the record tier's subscriber connection, if any. Never closes the caller's client. */
  async dispose(): Promise<void> {
    this.#tier?.dispose();
  }

  async create(record: Integration): Promise<Integration> {
    const gate = this.#deployment.gate();
    if (gate) await gate;
    const json = JSON.stringify(record);
    const claim = this.#keys.ownerKeys(record);
    const outcome = await this.#write("create", record.id, { expected: "", next: json, release: [], claim, exclusive: true, leave: [], join: this.#indexKeys(record) }, record);
    if (outcome === "exists") {
      throw new SdkError("integration_exists", `Integration "${record.id}" already exists.`, { details: { integration_id: record.id, conflict: "id" } });
    }
    if (outcome === "taken") throw naturalKeyTaken(record.id);
    return this.#parse(record.id, json);
  }

  async update(id: string, patch: IntegrationPatch, { expectedVersion }: UpdateOptions): Promise<Integration> {
    const gate = this.#deployment.gate();
    if (gate) await gate;
    for (let attempt = 1; ; attempt++) {
      const current = await this.#read(id, "update");
      if (!current) throw notFound(id);
      if (current.record.version !== expectedVersion) throw conflict(id, expectedVersion, current.record.version);
      const next = applyPatch(current.record, patch, expectedVersion + 1);
      const json = JSON.stringify(next);
      const oldKeys = this.#indexKeys(current.record);
      const newKeys = this.#indexKeys(next);
      // Joining every current index set (not only changed ones) also indexes records written before the indexes existed.
      const leave = oldKeys.filter((key) => !newKeys.includes(key));
      const [held, wanted] = [this.#keys.ownerKeys(current.record), this.#keys.ownerKeys(next)];
      // Keeping its natural key, the record (re)claims the owner key only if free, so records written before owner
      // keys existed never fail for sharing a key; moving onto another key requires that key to be free.
      const keeps = held.length === wanted.length && held.every((key, index) => key === wanted[index]);
      const outcome = await this.#write("update", id, {
        expected: current.json,
        next: json,
        release: keeps ? [] : held,
        claim: wanted,
        exclusive: !keeps,
        leave,
        join: newKeys,
      }, next);
      if (outcome === "ok") return this.#parse(id, json);
      if (outcome === "missing") throw notFound(id);
      if (outcome === "taken") throw naturalKeyTaken(id);
      if (attempt === MAX_ATTEMPTS) throw conflict(id, expectedVersion, current.record.version);
    }
  }

  async delete(id: string): Promise<boolean> {
    const gate = this.#deployment.gate();
    if (gate) await gate;
    for (let attempt = 1; ; attempt++) {
      const current = await this.#read(id, "delete");
      if (!current) return false;
      const release = this.#keys.ownerKeys(current.record);
      const outcome = await this.#write("delete", id, { expected: current.json, next: "", release, claim: [], exclusive: false, leave: this.#indexKeys(current.record), join: [] }, current.record);
      if (outcome === "ok" || outcome === "missing") this.#memo.forget(id);
      if (outcome === "ok") return true;
      if (outcome === "missing") return false;
      if (attempt === MAX_ATTEMPTS) {
        throw new SdkError("integration_conflict", `Integration "${id}" kept changing while it was being deleted; retry.`, { details: { integration_id: id } });
      }
    }
  }

  async list(filter: IntegrationFilter): Promise<Integration[]> {
    const gate = this.#deployment.gate();
    if (gate) await gate;
    const ids = await guardRedis("store_unavailable", "list", () => this.#candidateIds(filter));
    if (ids.length === 0) return [];
    const values = await guardRedis("store_unavailable", "list", () => this.#client.mget(ids.map((id) => this.#keys.record(id))));
    const found: Integration[] = [];
    values.forEach((json, index) => {
      // A record deleted or re-keyed between the index read and MGET is dropped by these two checks.
      if (json === null) return;
      const record = this.#parse(ids[index]!, json);
      if (matchesFilter(record, filter)) found.push(record);
    });
    return found.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  /**
   * One page in id order from the narrowest sorted set the query allows (account, else provider, else all): one
   * ZRANGEBYLEX of at most `limit` ids and one MGET, both in the store's hash slot, whatever the store holds.
   */
  async scan({ after, limit, ...filter }: StoreScanQuery): Promise<StoreScanPage> {
    const gate = this.#deployment.gate();
    if (gate) await gate;
    await guardRedis("store_unavailable", "scan", () => this.#scanIndex.ensureBackfilled((ids) => this.#readMany(ids, "scan")));
    const index = this.#scanIndex.keyFor(filter);
    const ids = await guardRedis("store_unavailable", "scan", () => this.#client.zrangebylex(index, after === undefined ? "-" : `(${after}`, "+", "LIMIT", 0, limit));
    const records = (await this.#readMany(ids, "scan")).filter((record): record is Integration => record !== undefined && matchesFilter(record, filter));
    return { records, after: ids.length === limit ? ids[ids.length - 1]! : null };
  }

  /** The records of `ids` in one MGET; a deleted one (it may vanish between an index read and this) is undefined. */
  async #readMany(ids: string[], operation: string): Promise<Array<Integration | undefined>> {
    if (ids.length === 0) return [];
    const values = await guardRedis("store_unavailable", operation, () => this.#client.mget(ids.map((id) => this.#keys.record(id))));
    return values.map((json, position) => (json === null ? undefined : this.#parse(ids[position]!, json)));
  }

  /** Ids from the narrowest index sets the filter allows; `status` and `providers` are checked on the records. */
  async #candidateIds(filter: IntegrationFilter): Promise<string[]> {
    const providers = filter.provider !== undefined ? [filter.provider] : filter.providers;
    // A grant family (Atlassian: one Atlassian user's records): its own set, whatever else the account holds. Records
    // without a grant key are in no such set; the SDK's migration step gives them theirs, and that write adds them.
    if (filter.account_id !== undefined && filter.grant_key !== undefined) return this.#client.smembers(this.#keys.grantKey(filter.account_id, filter.grant_key));
    if (filter.account_id !== undefined && filter.created_by !== undefined) {
      // What one SDK user connected in the account: its own set, whatever else the account holds.
      await this.#accountCreator.ensureBackfilled((ids) => this.#readMany(ids, "list"));
      return this.#client.smembers(this.#accountCreator.key(filter.account_id, filter.created_by));
    }
    if (filter.account_id !== undefined && providers !== undefined && filter.natural_key === undefined) {
      // The account's records of these providers only: the cost follows them, not the size of the account.
      if (providers.length === 0) return [];
      await this.#accountProvider.ensureBackfilled((ids) => this.#readMany(ids, "list"));
      const accountId = filter.account_id;
      return this.#client.sunion(...[...new Set(providers)].map((provider) => this.#accountProvider.key(accountId, provider)));
    }
    const sets: string[] = [];
    if (filter.account_id !== undefined) sets.push(this.#keys.account(filter.account_id));
    if (filter.provider !== undefined) sets.push(this.#keys.provider(filter.provider));
    if (filter.natural_key !== undefined) sets.push(this.#keys.naturalKey(filter.natural_key));
    if (sets.length > 0) return this.#client.sinter(...sets);
    if (filter.providers !== undefined) {
      if (filter.providers.length === 0) return [];
      return this.#client.sunion(...filter.providers.map((provider) => this.#keys.provider(provider)));
    }
    return this.#client.smembers(this.#keys.all());
  }

  async #read(id: string, operation: string): Promise<StoredRecord | undefined> {
    const json = await guardRedis("store_unavailable", operation, () => readBatch(this.#client).get(this.#keys.record(id), true));
    return json === null ? undefined : { json, record: this.#remembered(id, json) };
  }

  async #write(operation: string, id: string, plan: WritePlan, record: Integration): Promise<WriteOutcome> {
    const keys = { record: this.#keys.record(id), scan: this.#scanIndex.keysOf(record), channel: this.#keys.channel() };
    // Forgotten here at once (and again by the published message): this process never serves its own old write.
    this.#tier?.invalidate(id);
    try {
      return await guardRedis("store_unavailable", operation, () => writeRecord(this.#client, id, plan, keys));
    } finally {
      this.#tier?.invalidate(id);
    }
  }

  /** Reads a stored value leniently (1.x records have no `version`, `status`, ...). The key's id wins over the value's. */
  /** `#parse` through the parsed-record memo: one id's reads (get, and the read before a write), not list or scan pages. */
  #remembered(id: string, json: string): Integration {
    return this.#memo.read(id, json, (text) => this.#parse(id, text));
  }

  #parse(id: string, json: string): Integration {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      value = undefined;
    }
    const record = typeof value === "object" && value !== null ? readStoredRecord({ ...(value as Record<string, unknown>), id }) : undefined;
    if (!record) {
      throw new SdkError("store_unavailable", `The value stored for integration "${id}" is not an integration record.`, {
        retryable: false,
        details: { integration_id: id },
      });
    }
    return record;
  }

  /** The index sets a record belongs to: the store's (see RedisStoreKeys), its (account, provider) and (account, creator) sets. */
  #indexKeys(record: Integration): string[] {
    return [...this.#keys.indexKeys(record), this.#accountProvider.keyOf(record), this.#accountCreator.keyOf(record)];
  }
}

/**
 * @deprecated 1.x name, kept so 1.x imports compile: use `RedisStore` for records. A 1.x `RedisStorage` passed
 * as `cacheStorage` becomes `new RedisCache(redis)` in 2.0 (see MIGRATION.md).
 */
export const RedisStorage = RedisStore;
/** @deprecated 1.x name: use `RedisStore`. */
export type RedisStorage = RedisStore;
