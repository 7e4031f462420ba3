// The embedded CacheStore: one process. Honours TTLs on its injectable clock and evicts expired keys
// (a sweep runs on writes at most once per `sweepIntervalMs`), so memory stays bounded by live keys.
import type { CacheStore } from "./cache-store.js";
import { SdkError } from "./sdk-error.js";

export interface MemoryCacheOptions {
  /** Clock in milliseconds. @default Date.now */
  now?: () => number;
  /** Minimum time between two sweeps of expired keys, in clock milliseconds. @default 1000 */
  sweepIntervalMs?: number;
}

interface Entry {
  value: string;
  expiresAt: number;
}

export class MemoryCache implements CacheStore {
  readonly #entries = new Map<string, Entry>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #now: () => number;
  readonly #sweepIntervalMs: number;
  #nextSweepAt: number;

  constructor(options: MemoryCacheOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 1000;
    this.#nextSweepAt = this.#now() + this.#sweepIntervalMs;
  }

  async get(key: string): Promise<string | undefined> {
    return this.#live(key)?.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#write(key, value, ttlMs);
  }

  async delete(key: string): Promise<void> {
    if (this.#entries.delete(key)) this.#wake(key);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.#live(key)) return false;
    this.#write(key, value, ttlMs);
    return true;
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    const entry = this.#live(key);
    if (!entry || entry.value !== value) return false;
    this.#entries.delete(key);
    this.#wake(key);
    return true;
  }

  waitFor(key: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(false);
      const waiters = this.#waiters.get(key) ?? new Set<() => void>();
      this.#waiters.set(key, waiters);
      const done = (woken: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", abort);
        waiters.delete(wake);
        if (waiters.size === 0) this.#waiters.delete(key);
        resolve(woken);
      };
      const wake = () => done(true);
      const abort = () => done(false);
      const timer = setTimeout(abort, Math.max(0, timeoutMs));
      timer.unref?.();
      signal?.addEventListener("abort", abort, { once: true });
      waiters.add(wake);
    });
  }

  /** Drops every expired key now. */
  sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
    this.#nextSweepAt = now + this.#sweepIntervalMs;
  }

  /** Number of keys held, expired or not (for tests and memory benchmarks). */
  get size(): number {
    return this.#entries.size;
  }

  /** Remaining time to live of a live key in milliseconds, or undefined (for contract tests). */
  ttlOf(key: string): number | undefined {
    const entry = this.#live(key);
    return entry ? entry.expiresAt - this.#now() : undefined;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #write(key: string, value: string, ttlMs: number): void {
    if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
      throw new SdkError("validation_failed", `"ttlMs" must be a positive integer number of milliseconds.`, { details: { field: "ttlMs" } });
    }
    const now = this.#now();
    if (now >= this.#nextSweepAt) this.sweep();
    this.#entries.set(key, { value, expiresAt: now + ttlMs });
    this.#wake(key);
  }

  #wake(key: string): void {
    const waiters = this.#waiters.get(key);
    if (!waiters) return;
    for (const wake of [...waiters]) wake();
  }
}
