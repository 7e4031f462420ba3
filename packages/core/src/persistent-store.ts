// The contract of a store that keeps integration records (refresh tokens, api keys, metadata).
// Implementations: MemoryStore (here), RedisStore, MongoStore. They store what they are given, never decrypt.
import type { Integration, IntegrationFilter, IntegrationPatch } from "./integration.js";

export interface UpdateOptions {
  /** The version the caller read. The update applies only if the stored version still equals it. */
  expectedVersion: number;
}

export interface ReadOptions {
  /**
   * The caller accepts an answer from an in-process tier that the store keeps coherent by invalidation (RedisStore
   * `recordTier`). Only the resolve hot path asks for it; writers and the refresh path (which must see the refresh
   * token the store holds now) never do. Stores without a tier ignore it.
   * @default false
   */
  tier?: boolean;
}

export interface PersistentStore {
  /** The record, or undefined when there is none. */
  get(id: string, options?: ReadOptions): Promise<Integration | undefined>;
  /**
   * Stores a new record. Throws `integration_exists` when the id is taken (`details.conflict: "id"`) or another record
   * has the same provider, account_id and non-null natural_key (`details.conflict: "natural_key"`), storing nothing.
   */
  create(record: Integration): Promise<Integration>;
  /**
   * Compare-and-set: applies `patch` and sets `version` to `expectedVersion + 1` atomically.
   * Throws `integration_not_found` when there is no record, `integration_conflict` when the version moved, and
   * `integration_exists` (`details.conflict: "natural_key"`) when the patch moves the record onto a natural key
   * another record of its provider and account holds.
   */
  update(id: string, patch: IntegrationPatch, options: UpdateOptions): Promise<Integration>;
  /** True when a record was deleted. */
  delete(id: string): Promise<boolean>;
  /** Records matching every given filter field, oldest first. */
  list(filter: IntegrationFilter): Promise<Integration[]>;
}
