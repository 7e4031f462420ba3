// The optional in-process tier of RedisCache: a bounded LRU of values the process has read, for the keys the caller
// marks (access tokens by default, never locks or nonces), each kept no longer than its Redis TTL and `maxTtlMs`.
// Invalidation rides on the wake-up channels every RedisCache write already publishes; without a live subscription
// nothing is served from memory. It never talks to Redis itself: RedisCache feeds it and tells it what changed.

export interface RedisCacheL1Options {
  /** Most entries kept in memory; the least recently used is dropped first. */
  maxEntries: number;
  /** Longest time an entry is served from memory, whatever TTL it has in Redis. */
  maxTtlMs: number;
  /**
   * Keys that may be served from memory, matched against the key the SDK gives (before `keyPrefix`). Keep locks
   * (`…:refresh_lock`), state nonces and anything single-use out: a stale read of those breaks the protocol.
   * @default access-token keys: /:(?:[a-z0-9]+_)?access_token$/
   */
  keys?: RegExp;
}

export const DEFAULT_L1_KEYS = /:(?:[a-z0-9]+_)?access_token$/;

interface Entry<V> {
  value: V;
  expiresAt: number;
  /** Written or read since eviction last passed over it (second-chance LRU: a hit only sets this flag). */
  used: boolean;
}

/** A read in flight from Redis; `stale` is set when the key changed (or the subscription dropped) meanwhile. */
export interface L1Fill {
  stale: boolean;
}

export class RedisL1Cache<V = string> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #fills = new Map<string, Set<L1Fill>>();
  readonly #maxEntries: number;
  readonly #maxTtlMs: number;
  readonly #keys: RegExp;
  /** True only while the invalidation subscription is confirmed; entries exist only while it is. */
  #live = false;

  constructor(options: RedisCacheL1Options) {
    this.#maxEntries = options.maxEntries;
    this.#maxTtlMs = options.maxTtlMs;
    this.#keys = options.keys ?? DEFAULT_L1_KEYS;
  }

  /** Whether `key` (the SDK's key, without prefix) may be served from memory. */
  covers(key: string): boolean {
    if (this.#keys === DEFAULT_L1_KEYS) return isAccessTokenKey(key);
    this.#keys.lastIndex = 0;
    return this.#keys.test(key);
  }

  get live(): boolean {
    return this.#live;
  }

  /**
   * The value in memory for a full key, or undefined (missing, expired, or not live). A hit only marks the entry used
   * (no reordering on the hot path); eviction gives a used entry a second chance instead (see `complete`).
   */
  read(fullKey: string, nowMs: number): V | undefined {
    const entry = this.#entries.get(fullKey);
    if (!entry) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.#entries.delete(fullKey);
      return undefined;
    }
    entry.used = true;
    return entry.value;
  }

  /** Registers a read from Redis; pass the same object to `complete` with what Redis answered. */
  begin(fullKey: string): L1Fill {
    const fill: L1Fill = { stale: !this.#live };
    const fills = this.#fills.get(fullKey) ?? new Set();
    fills.add(fill);
    this.#fills.set(fullKey, fills);
    return fill;
  }

  /** Keeps what Redis answered, unless the key changed or the subscription dropped while the read was in flight. */
  complete(fullKey: string, fill: L1Fill, value: V | null, ttlMs: number, nowMs: number): void {
    const fills = this.#fills.get(fullKey);
    fills?.delete(fill);
    if (fills?.size === 0) this.#fills.delete(fullKey);
    if (fill.stale || !this.#live || value === null || ttlMs <= 0) return;
    this.#entries.delete(fullKey);
    this.#entries.set(fullKey, { value, expiresAt: nowMs + Math.min(ttlMs, this.#maxTtlMs), used: true });
    // Oldest first; one read since it was last passed over moves it to the back once (second chance).
    while (this.#entries.size > this.#maxEntries) {
      const [oldestKey, oldest] = this.#entries.entries().next().value!;
      this.#entries.delete(oldestKey);
      if (oldest.used) this.#entries.set(oldestKey, { ...oldest, used: false });
    }
  }

  /** The key was written or deleted (here or by another instance): forget it, and any read of it in flight. */
  invalidate(fullKey: string): void {
    this.#entries.delete(fullKey);
    for (const fill of this.#fills.get(fullKey) ?? []) fill.stale = true;
  }

  /** The subscription is confirmed (again): start keeping entries. */
  resume(): void {
    this.#live = true;
  }

  /** The subscription dropped (or the cache was disposed): invalidations could be missed, so forget everything. */
  suspend(): void {
    this.#live = false;
    this.#entries.clear();
    for (const fills of this.#fills.values()) for (const fill of fills) fill.stale = true;
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * `DEFAULT_L1_KEYS.test(key)` without the regex, which tries every position of the key on every read of the hot path:
 * the key ends with `:access_token` or `:{chain}_access_token`, the chain being lower-case letters and digits.
 */
function isAccessTokenKey(key: string): boolean {
  const suffix = "access_token";
  if (!key.endsWith(suffix)) return false;
  let at = key.length - suffix.length - 1;
  if (key[at] === ":") return true;
  if (key[at] !== "_") return false;
  const chainEnd = at;
  for (at -= 1; at >= 0; at--) {
    const code = key.charCodeAt(at);
    if (code === 58) return at < chainEnd - 1; // ":" after at least one chain character
    if (!((code >= 97 && code <= 122) || (code >= 48 && code <= 57))) return false;
  }
  return false;
}
