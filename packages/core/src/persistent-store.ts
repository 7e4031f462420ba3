// The contract of a store that keeps integration records (refresh tokens, api keys, metadata).
// Implementations: MemoryStore (here), RedisStore, MongoStore. They store what they are given, never decrypt.
import type { Integration, IntegrationFilter, IntegrationPatch, IntegrationStatus } from "./integration.js";
import type { StoreHealthCheck } from "./store-health-check.js";

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

/** One page of a fleet scan, as a store is asked for it (the SDK wraps it in an opaque cursor). */
export interface StoreScanQuery {
  account_id?: string;
  provider?: string;
  status?: IntegrationStatus;
  /** Continue after this integration id (exclusive); absent for the first page. */
  after?: string;
  /** Most records the store examines for this page (1-1000): the bound on the work one page costs. */
  limit: number;
}

export interface StoreScanPage {
  /** Records matching the query among those examined, ascending by id (code-unit order; ids are ASCII). */
  records: Integration[];
  /**
   * The id to pass as `after` for the next page, null when nothing is left. A page may hold fewer than `limit`
   * records, even none, while more remain: the store bounds the records it examines, not the ones it returns.
   */
  after: string | null;
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
  /**
   * A page of every record (optionally of one account, provider or status) in ascending id order, resumable from
   * `after`. A record that exists from the first page to the last is returned exactly once; one created or deleted
   * meanwhile may or may not be. Never loads the whole store (no `KEYS`, no unbounded set reads, a range on an index).
   * Optional so that stores written for earlier versions still compile; the fleet operations (`scanConnections`,
   * paginated `listConnections`, `refreshDue`, `reencryptConnections`) answer `unsupported_operation` without it.
   * Every store of this repository implements it and the contract suite checks it.
   */
  scan?(query: StoreScanQuery): Promise<StoreScanPage>;
  /**
   * Optional: what `sdk.checkHealth()` reports for this store (reachable, deployment settings such as Redis's eviction
   * policy and persistence). Without it the SDK reads one absent id as its probe.
   */
  checkHealth?(): Promise<StoreHealthCheck[]>;
}
