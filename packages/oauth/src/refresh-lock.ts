// The cross-process half of the refresh protocol (DESIGN section 7, steps 3-4): a lease lock taken with
// setIfAbsent and an owner token, released with deleteIfEquals, and waiters woken by the cache (or polling with
// backoff) that re-check for the token before trying the lock again. It knows nothing about OAuth.
import { randomUUID } from "node:crypto";
import { SdkError, type CacheStore } from "@sdk/core";
import { wallClockNow } from "./wall-clock.js";

export interface RefreshLockOptions {
  cache: CacheStore;
  lockKey: string;
  /** Lease of the lock; must exceed the holder's whole HTTP deadline. */
  leaseMs: number;
  /** How long a caller may wait in total before `refresh_timeout`. */
  waitMs: number;
  /** Called once when this caller has to wait for another holder (telemetry's lock waits). */
  onWait?: () => void;
}

/** What the holder knows about its lease. */
export interface LockHold {
  /** When the lease ends at the latest (wall clock, ms): measured from before the lock was asked for. */
  leaseEndsAt: number;
  /**
   * Keeps the lock after the holder returned or threw, until `work` settles: the holder answers its callers at once
   * and finishes in the background (e.g. storing a rotated refresh token once the store is back). `work` must end
   * before `leaseEndsAt`; after that the lock is someone else's anyway.
   */
  keepUntil(work: Promise<unknown>): void;
}

/**
 * Runs `holder` under the lock, or waits for whoever holds it. Before each attempt and after each wake-up,
 * `ready()` is asked whether the result is already there (the token another process cached); a non-undefined
 * answer ends the wait. Returns what `ready` or `holder` produced.
 */
export async function withRefreshLock<T>(options: RefreshLockOptions, ready: () => Promise<T | undefined>, holder: (hold: LockHold) => Promise<T>): Promise<T> {
  const { cache, lockKey, leaseMs } = options;
  const owner = randomUUID();
  const started = wallClockNow();
  let pollDelay = 20;
  let waited = false;
  for (;;) {
    const asked = wallClockNow();
    if (await cache.setIfAbsent(lockKey, owner, leaseMs)) return holding(options, owner, asked, ready, holder);
    if (!waited) options.onWait?.();
    waited = true;
    const remaining = options.waitMs - (wallClockNow() - started);
    if (remaining <= 0) {
      throw new SdkError("refresh_timeout", "Another process held the refresh lock for longer than the wait budget; retry.", { details: { wait_ms: options.waitMs } });
    }
    // Subscribe before looking, so a release between the look and the wait cannot be missed.
    const stop = new AbortController();
    // Bounded chunks: a wake-up lost between subscribing and the release costs at most a second, never a lease.
    const woken = cache.waitFor?.(lockKey, Math.min(remaining, 1000), stop.signal);
    // Handled at once: a wait that fails while ready() runs must not become an unhandled rejection (a process crash).
    woken?.catch(() => undefined);
    try {
      const result = await ready();
      if (result !== undefined) return result;
      if (woken) {
        if ((await cache.get(lockKey)) !== undefined) await woken;
      } else {
        await new Promise((resolve) => setTimeout(resolve, Math.min(pollDelay, remaining)));
        pollDelay = Math.min(pollDelay * 2, 250);
      }
    } finally {
      stop.abort();
      void woken?.catch(() => false);
    }
    const after = await ready();
    if (after !== undefined) return after;
  }
}

/**
 * One attempt at the lock, never waiting (refresh-ahead): runs `holder` when this caller got the lock and `ready()`
 * has no result yet; undefined when another caller holds it. Same lease, release and `keepUntil` as `withRefreshLock`.
 */
export async function tryRefreshLock<T>(options: Omit<RefreshLockOptions, "waitMs" | "onWait">, ready: () => Promise<T | undefined>, holder: (hold: LockHold) => Promise<T>): Promise<T | undefined> {
  const owner = randomUUID();
  const asked = wallClockNow();
  if (!(await options.cache.setIfAbsent(options.lockKey, owner, options.leaseMs))) return undefined;
  return holding(options, owner, asked, ready, holder);
}

/** The holder's side: `ready()` once more under the lock, else `holder`; then the release (or after `keepUntil`'s work). */
async function holding<T>(options: Pick<RefreshLockOptions, "cache" | "lockKey" | "leaseMs">, owner: string, asked: number, ready: () => Promise<T | undefined>, holder: (hold: LockHold) => Promise<T>): Promise<T> {
  const { cache, lockKey, leaseMs } = options;
  let kept: Promise<unknown> | undefined;
  const hold: LockHold = { leaseEndsAt: asked + leaseMs, keepUntil: (work) => void (kept = work) };
  try {
    return (await ready()) ?? (await holder(hold));
  } finally {
    const release = () => cache.deleteIfEquals(lockKey, owner).catch(() => false);
    if (kept) void kept.then(release, release);
    else await release();
  }
}
