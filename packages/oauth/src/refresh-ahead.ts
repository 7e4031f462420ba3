// Refresh-ahead: a cached token that enters its refresh-ahead window (just before the refresh skew) is still handed
// out, and one caller across all processes refreshes it in the background through the refresh lock taken without
// waiting. Nobody waits; a failed background refresh is an event, and once its failure is no longer remembered (2 s;
// an error that is not remembered, after this process's 1 s pause) the next caller in the window tries again.
// It assumes the provider keeps the old access token valid until its own expiry after a refresh (see the README).
import { SdkError, type CacheStore, type Integration } from "@sdk/core";
import { tryRefreshLock, type LockHold } from "./refresh-lock.js";
import { effectiveSkewMs, MAX_SKEW_FRACTION, type CachedToken } from "./token-cache.js";
import type { OAuthContext } from "./oauth-engine.js";
import { wallClockNow } from "./wall-clock.js";

/**
 * After losing the lock to another process, after its own background refresh failed, or after standing down on a
 * failure remembered by any process, this process does not try that key again for this long (wall clock): the winner
 * is refreshing, or the provider is failing, and trying on every resolve of the window would add a Redis call (or a
 * token call) to each.
 */
const PAUSE_MS = 1000;

/** Pauses remembered at most; past it, the ones that ended are dropped. */
const MAX_PAUSES = 10_000;

export interface RefreshAheadJob {
  context: OAuthContext;
  cache: CacheStore;
  integration: Integration;
  chain: string;
  /** The token's cache key. */
  key: string;
  lockKey: string;
  leaseMs: number;
  /**
   * Reads the cached token again (under the lock: another process may have refreshed it meanwhile), together with
   * whether a refresh of it failed moments ago in any process (the failure remembered for lock waiters).
   */
  reread: () => Promise<{ token: CachedToken | undefined; failedRecently: boolean }>;
  /** The lock holder's step of the refresh protocol. */
  refresh: (hold: LockHold) => Promise<CachedToken>;
}

export class RefreshAhead {
  readonly #windowMs: number;
  readonly #provider: string;
  /** Background refreshes running in this process, by token key (one per key). */
  readonly #running = new Map<string, Promise<void>>();
  /** Token keys whose lock another process held, whose background refresh failed or stood down, with the wall-clock time before which this process does not try again. */
  readonly #pausedUntil = new Map<string, number>();
  #closed = false;

  constructor(provider: string, windowMs: number) {
    this.#provider = provider;
    this.#windowMs = windowMs;
  }

  /** The window of one token: the configured one, so that it never starts before half the token's lifetime. */
  windowMs(token: CachedToken, skewMs: number): number {
    if (token.issued_at === undefined || !(token.expires_at > token.issued_at)) return this.#windowMs;
    const lifetime = token.expires_at - token.issued_at;
    return Math.max(0, Math.min(this.#windowMs, Math.floor(lifetime * MAX_SKEW_FRACTION) - effectiveSkewMs(token, skewMs)));
  }

  /** True when a fresh token is inside its refresh-ahead window at `nowMs`. */
  isDue(token: CachedToken, nowMs: number, skewMs: number): boolean {
    const window = this.windowMs(token, skewMs);
    return window > 0 && token.expires_at - effectiveSkewMs(token, skewMs) - window <= nowMs;
  }

  /**
   * Whether a background refresh of `key` may start now: the SDK is open, none runs in this process, and the key is not
   * paused (see `PAUSE_MS`). Asked before a job is built, so the other resolves of a window cost one map lookup.
   */
  mayStart(key: string): boolean {
    if (this.#closed || this.#running.has(key)) return false;
    const paused = this.#pausedUntil.get(key);
    if (paused === undefined) return true;
    if (wallClockNow() < paused) return false;
    this.#pausedUntil.delete(key);
    return true;
  }

  /** Starts a background refresh when `mayStart` allows it. */
  start(job: RefreshAheadJob, skewMs: number): void {
    if (!this.mayStart(job.key)) return;
    // Begun on the next turn of the event loop: the resolves answered by the same cache read as this one finish first,
    // so the lock request and the holder's work do not sit in front of them (a window's burst pays nothing for it).
    // Handled here too: nothing a background refresh does may become an unhandled rejection (a process crash).
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#run(job, skewMs))
      .catch(() => undefined)
      .finally(() => this.#running.delete(job.key));
    this.#running.set(job.key, run);
  }

  /** No new background refresh from now on; resolves once the running ones ended (their writes done or failed). */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running.size > 0) await Promise.all(this.#running.values());
  }

  #pause(key: string): void {
    if (this.#pausedUntil.size >= MAX_PAUSES) {
      const now = wallClockNow();
      for (const [paused, until] of this.#pausedUntil) if (until <= now) this.#pausedUntil.delete(paused);
    }
    if (this.#pausedUntil.size < MAX_PAUSES) this.#pausedUntil.set(key, wallClockNow() + PAUSE_MS);
  }

  async #run(job: RefreshAheadJob, skewMs: number): Promise<void> {
    const { context, integration, chain } = job;
    // Under the lock, a token that is no longer due was refreshed by another process between our read and the lock.
    // A refresh that failed moments ago in any process (its failure is still remembered) is not repeated yet: across a
    // fleet the provider sees at most one background attempt per key while the failure is remembered, not one per
    // process and pause.
    const ready = async (): Promise<CachedToken | "stand_down" | undefined> => {
      const { token, failedRecently } = await job.reread();
      if (failedRecently) return "stand_down";
      return token !== undefined && !this.isDue(token, context.now(), skewMs) ? token : undefined;
    };
    try {
      const outcome = await tryRefreshLock({ cache: job.cache, lockKey: job.lockKey, leaseMs: job.leaseMs }, ready, job.refresh);
      if (outcome === undefined || outcome === "stand_down") this.#pause(job.key);
    } catch (error) {
      // Nobody awaits a background refresh: its failure is reported here, remembered briefly for callers waiting on
      // the lock (refresh-protocol.ts) and standing down every process's background refresh meanwhile; a caller in
      // the window tries again after that. A dead grant was already marked needs_reauth by the refresh step.
      this.#pause(job.key);
      const code = SdkError.is(error) ? error.code : "unknown";
      const retryable = SdkError.is(error) ? error.retryable : false;
      context.events.emit("token.refresh_failed", { provider: this.#provider, integration_id: integration.id, account_id: integration.account_id, code, retryable, background: true, ...(chain ? { chain } : {}) });
      context.logger.warn({ provider: this.#provider, integration_id: integration.id, error_code: code }, "background refresh ahead of expiry failed; the current token is served and the next caller retries");
    }
  }
}
