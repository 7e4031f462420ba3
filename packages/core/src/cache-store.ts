// The contract of the short-lived shared cache: access tokens, refresh locks, state nonces, site selections.
// Every operation is single-key so a Redis Cluster can serve it; every value has a TTL so memory stays bounded.
import type { StoreHealthCheck } from "./store-health-check.js";

export interface CacheStore {
  get(key: string): Promise<string | undefined>;
  /** Sets the value with a time to live in milliseconds (a positive integer). */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Sets the value only when the key is absent. True for the one caller that set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes the key only while it still holds `value` (lock release by its owner). True when deleted. */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /**
   * Optional: resolves true as soon as the key is written or deleted through any instance of this cache,
   * false after `timeoutMs` or when `signal` aborts. Its timer must not keep the process alive.
   * Implementations that cannot be woken leave it out and callers poll with backoff.
   */
  waitFor?(key: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /**
   * Optional: what `sdk.checkHealth()` reports for this cache (reachable, deployment settings such as Redis's eviction
   * policy). Without it the SDK reads one absent key as its probe.
   */
  checkHealth?(): Promise<StoreHealthCheck[]>;
}
