// The refresh protocol of DESIGN section 7 for one provider: cache first, in-process single flight, the cross-process
// lease lock, and the holder's step (re-read, token endpoint under a deadline inside the lease, rotation journal,
// compare-and-set write, sibling sync, keep-saving through an outage, needs_reauth on a dead grant), and the doors to
// refresh-ahead (refresh-ahead.ts) and to the failure remembered for waiters (refresh-failure-memory.ts). The whole
// life of a rotated refresh token, from the provider's answer to the record, reads in this one file.
import { recordCacheLookup, recordLockWait, refreshSpan } from "./oauth-telemetry.js";
import { SdkError, type CacheStore, type Integration } from "@sdk/core";
import type { RefreshDueOutcome } from "@sdk/core/provider-kit";
import { chainFields, hasCredential, type ChainCredentials } from "./chain-credentials.js";
import { compareAndSet } from "./compare-and-set.js";
import type { GrantSiblings } from "./grant-siblings.js";
import type { EngineSettings } from "./oauth-provider-options.js";
import { RefreshAhead } from "./refresh-ahead.js";
import { readTokenAndFailure, refreshFailureKey, rememberedRefreshFailure, rememberRefreshFailure } from "./refresh-failure-memory.js";
import { refreshChainIfDue } from "./refresh-due.js";
import { withRefreshLock, type LockHold } from "./refresh-lock.js";
import { RotationJournal } from "./rotation-journal.js";
import { isFresh, storeCachedToken, tokenCodec, tokenKey, type CachedToken } from "./token-cache.js";
import type { TokenEndpoint } from "./token-endpoint.js";
import type { OAuthContext } from "./oauth-engine.js";
import { wallClockNow } from "./wall-clock.js";

type RefreshOptions = Pick<
  EngineSettings,
  "id" | "skewSeconds" | "lockLeaseMs" | "refreshReuseWindow" | "refreshTokenIdleMs" | "classifyRefreshError" | "afterRefresh" | "refreshAheadSeconds" | "accessTokenOutlivesRefresh"
>;

/** Refresh-ahead window when the provider's tuning does not set one, in seconds. */
const DEFAULT_REFRESH_AHEAD_SECONDS = 300;

export class RefreshProtocol {
  readonly #options: RefreshOptions;
  readonly #endpoint: TokenEndpoint;
  readonly #credentials: ChainCredentials;
  readonly #siblings: GrantSiblings;
  readonly #inflight = new Map<string, Promise<CachedToken>>();
  readonly #ahead: RefreshAhead;

  constructor(options: RefreshOptions, parts: { endpoint: TokenEndpoint; credentials: ChainCredentials; siblings: GrantSiblings }) {
    this.#options = options;
    this.#endpoint = parts.endpoint;
    this.#credentials = parts.credentials;
    this.#siblings = parts.siblings;
    // Off where the provider revokes the old access token at a refresh: callers would get a dead token meanwhile.
    const aheadSeconds = options.accessTokenOutlivesRefresh === false ? 0 : (options.refreshAheadSeconds ?? DEFAULT_REFRESH_AHEAD_SECONDS);
    this.#ahead = new RefreshAhead(options.id, aheadSeconds * 1000);
  }

  get skewMs(): number {
    return (this.#options.skewSeconds ?? 60) * 1000;
  }

  get #leaseMs(): number {
    return this.#options.lockLeaseMs ?? 45_000;
  }

  /**
   * A fresh access token of one chain: cache first, then one refresh per expiry across every process. `read.raw` is
   * the cache value already read for this resolve (prefetch), used instead of reading it again.
   */
  async token(context: OAuthContext, integration: Integration, chain = "", read?: { raw: string | undefined }): Promise<CachedToken> {
    const cache = context.requireCache();
    const key = tokenKey(integration, chain);
    const cached = tokenCodec(context).decode(key, read ? read.raw : await cache.get(key));
    const now = context.now();
    const fresh = isFresh(cached, now, this.skewMs);
    recordCacheLookup(this.#options.id, fresh);
    if (fresh) {
      if (this.#ahead.isDue(cached, now, this.skewMs) && !this.#inflight.has(key) && this.#ahead.mayStart(key)) this.#refreshAhead(context, cache, integration, chain, key);
      return cached;
    }
    const running = this.#inflight.get(key);
    if (running) return running;
    const flight = this.#refreshShared(context, cache, integration, chain, key).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, flight);
    return flight;
  }

  /** Starts one background refresh of a token inside its refresh-ahead window (refresh-ahead.ts). */
  #refreshAhead(context: OAuthContext, cache: CacheStore, integration: Integration, chain: string, key: string): void {
    const codec = tokenCodec(context);
    const lockKey = this.#siblings.lockKey(integration, chain);
    const failureKey = refreshFailureKey(context.keyPrefix, integration, chain);
    this.#ahead.start(
      {
        context,
        cache,
        integration,
        chain,
        key,
        lockKey,
        leaseMs: this.#leaseMs,
        reread: async () => {
          const { raw, failure } = await readTokenAndFailure(cache, key, failureKey);
          return { token: codec.decode(key, raw), failedRecently: failure !== undefined };
        },
        refresh: async (hold) => {
          try {
            return await refreshSpan(this.#options.id, integration.id, () => this.#refreshHeld(context, cache, integration.id, chain, key, hold, { lockKey, background: true }));
          } catch (error) {
            // Callers past the skew may be waiting on this lock: they get this failure instead of each calling again.
            await rememberRefreshFailure(cache, failureKey, error);
            throw error;
          }
        },
      },
      this.skewMs,
    );
  }

  /** Stops starting refreshes ahead of expiry and settles the running ones (`sdk.close()`). */
  close(): Promise<void> {
    return this.#ahead.close();
  }

  /** `sdk.refreshDue`: refreshes each chain that is due (see refresh-due.ts) under the refresh lock. */
  async refreshDue(context: OAuthContext, integration: Integration, options: { withinMs: number }): Promise<RefreshDueOutcome> {
    const cache = context.requireCache();
    const outcomes: RefreshDueOutcome[] = [];
    for (const chain of this.#credentials.chains) {
      if (!hasCredential(integration.credentials, chainFields(chain).refresh)) continue;
      const key = tokenKey(integration, chain);
      const lockKey = this.#siblings.lockKey(integration, chain);
      outcomes.push(
        await refreshChainIfDue({
          cache,
          now: context.now,
          keyPrefix: context.keyPrefix,
          integration,
          chain,
          tokenKey: key,
          lockKey,
          codec: tokenCodec(context),
          leaseMs: this.#leaseMs,
          withinMs: options.withinMs,
          idleMs: this.#options.refreshTokenIdleMs,
          refresh: (hold) => this.#refreshHeld(context, cache, integration.id, chain, key, hold, { lockKey }),
        }),
      );
    }
    return outcomes.includes("refreshed") ? "refreshed" : outcomes.includes("skipped") ? "skipped" : "not_due";
  }

  /** Step 3: the lease lock across processes; waiters re-check the cache (and a failure remembered for them). */
  async #refreshShared(context: OAuthContext, cache: CacheStore, integration: Integration, chain: string, key: string): Promise<CachedToken> {
    const failureKey = refreshFailureKey(context.keyPrefix, integration, chain);
    const ready = async (): Promise<CachedToken | undefined> => {
      // Both at once: the failure is only looked at when the token is not there, and a remembered failure is cheap to read.
      const { raw, failure } = await readTokenAndFailure(cache, key, failureKey);
      const token = tokenCodec(context).decode(key, raw);
      if (isFresh(token, context.now(), this.skewMs)) return token;
      if (failure) throw rememberedRefreshFailure(this.#options.id, failure);
      return undefined;
    };
    const leaseMs = this.#leaseMs;
    const onWait = () => recordLockWait(this.#options.id);
    const lockKey = this.#siblings.lockKey(integration, chain);
    return withRefreshLock({ cache, lockKey, leaseMs, waitMs: leaseMs + 5000, onWait }, ready, async (hold) => {
      try {
        return await refreshSpan(this.#options.id, integration.id, () => this.#refreshHeld(context, cache, integration.id, chain, key, hold, { lockKey }));
      } catch (error) {
        await rememberRefreshFailure(cache, failureKey, error);
        throw error;
      }
    });
  }

  /**
   * Step 4 of the protocol, run by the lock holder. `mode.lockKey`, the key of the lock held, lets the rotation journal
   * (keyed by it) be read together with the record: one round trip instead of two before the token call.
   * `mode.background`: a refresh-ahead, which reports its own failure (refresh-ahead.ts).
   */
  async #refreshHeld(context: OAuthContext, cache: CacheStore, integrationId: string, chain: string, key: string, hold: LockHold, mode: { lockKey?: string; background?: boolean } = {}): Promise<CachedToken> {
    const provider = this.#options.id;
    const heldLockKey = mode.lockKey;
    // The record from the store itself (never a tier): under the lock it holds the newest refresh token.
    const early = heldLockKey === undefined ? undefined : new RotationJournal(context, cache, heldLockKey);
    // A failed early read is read again below, where it always was: a cache error never hides the record's status.
    const [record, earlyEntry] = await Promise.all([context.integrations.require(integrationId), early?.read().then((raw) => ({ raw }), () => undefined)]);
    const names = chainFields(chain);
    if (record.status !== "active") {
      throw new SdkError(record.status === "revoked" ? "integration_revoked" : "reauth_required", `Integration "${record.id}" is ${record.status}; the user must connect ${provider} again.`, {
        details: { provider, integration_id: record.id },
      });
    }
    const storedRefreshToken = record.credentials[names.refresh];
    if (typeof storedRefreshToken !== "string") {
      throw new SdkError("reauth_required", `Integration "${record.id}" has no refresh token for chain "${chain || "primary"}".`, { details: { provider, integration_id: record.id } });
    }
    let refreshToken: string = storedRefreshToken;
    // Keyed by the lock, i.e. the grant: siblings sharing one rotation chain share one journal. The entry read early is
    // used only when it is that journal's (the record still names the grant of the lock held).
    const lockKey = this.#siblings.lockKey(record, chain);
    const journal = early && heldLockKey === lockKey ? early : new RotationJournal(context, cache, lockKey);
    const repaired = await journal.pendingFor(refreshToken, journal === early ? earlyEntry : undefined);
    if (repaired !== undefined) {
      // A previous holder got a rotated token from the provider but never stored it (crash or store outage):
      // finish its write first, then refresh with the newest token the provider issued.
      const replaceStale = (current: Integration) =>
        current.credentials[names.refresh] === storedRefreshToken ? { credentials: { ...current.credentials, [names.refresh]: repaired } } : undefined;
      await compareAndSet(context, record.id, replaceStale, record);
      await this.#siblings.sync(context, record, replaceStale);
      context.logger.warn({ provider, integration_id: record.id }, "recovered a rotated refresh token that a previous refresh did not store");
      refreshToken = repaired;
    }
    let answer;
    try {
      const client = this.#endpoint.client(context, { retryOnTimeout: this.#options.refreshReuseWindow ?? true });
      // The HTTP work ends before the lease does, leaving time to store the answer: no attempt outlives the lock.
      const leaseLeft = hold.leaseEndsAt - wallClockNow();
      const deadline = hold.leaseEndsAt - Math.min(2000, leaseLeft / 4);
      const classify = this.#options.classifyRefreshError;
      answer = await client.post(this.#endpoint.url({ integration: record }), { grant_type: "refresh_token", refresh_token: refreshToken }, { deadline, ...(classify ? { mapError: classify } : {}) });
    } catch (error) {
      if (SdkError.is(error, "reauth_required")) {
        const providerError = typeof error.details.provider_error === "string" ? error.details.provider_error : "invalid_grant";
        await this.#siblings.markNeedsReauth(context, record, `refresh rejected: ${providerError}`, { field: names.refresh, value: refreshToken });
      }
      // A background refresh reports its failure itself (refresh-ahead.ts), whatever step failed.
      if (SdkError.is(error) && !mode.background) {
        context.events.emit("token.refresh_failed", { provider, integration_id: record.id, account_id: record.account_id, code: error.code, retryable: error.retryable, ...(chain ? { chain } : {}) });
      }
      throw error;
    }
    const fields = this.#endpoint.parse(answer.body, "refresh_token", chain)[chain];
    if (!fields) throw new SdkError("provider_response_invalid", `${provider} refresh response has no token for chain "${chain || "primary"}".`, { details: { provider } });
    const now = context.now();
    const token = this.#credentials.refreshedToken(record, chain, fields, now);
    const rotated = fields.refresh_token && fields.refresh_token !== refreshToken ? fields.refresh_token : undefined;
    const previous = refreshToken;
    let recordSaved = !rotated;
    let superseded = false;
    // The record as read under this lock: the first compare-and-set attempt writes against it (no re-read), unless
    // the repair above moved it already. A record that moved during the token call fails that write and is re-read.
    let known: Integration | undefined = repaired === undefined ? record : undefined;
    // Idempotent, so it can run again after a failure: every write compares before it writes.
    const finish = async () => {
      let cleanup: Promise<void> | undefined;
      if (rotated && !recordSaved) {
        // The journal's lifetime: written before the record write, deleted once that write has an outcome (stored, or
        // skipped because the record moved on or was deleted). A write that throws (store down, or this process dies)
        // leaves it on purpose: keepSaving or the next lock holder repairs from it. deleteConnection drops what a
        // deleted connection left (Revocation.invalidate). A failed journal write does not stop the record write: the
        // store may be up while the cache is not, and the record is what counts.
        const journaled = await journal.write(previous, rotated);
        // Only records still holding the token that was rotated are moved on: one that a re-install gave a new grant
        // meanwhile keeps it, and then so do its siblings (the re-install syncs them), and the old chain's access
        // token is not cached over the new one.
        const replaceRotated = (current: Integration) =>
          current.credentials[names.refresh] === previous ? { credentials: { ...current.credentials, [names.refresh]: rotated } } : undefined;
        const first = known;
        known = undefined;
        const stored = await compareAndSet(context, record.id, replaceRotated, first);
        if (stored === "skipped") {
          const now = await context.integrations.get(record.id);
          superseded = now?.credentials[names.refresh] !== rotated;
        }
        if (!superseded) await this.#siblings.sync(context, record, replaceRotated);
        recordSaved = true;
        // Done once the record (and its siblings) have the rotated token; deleted while the access token is cached.
        if (journaled) cleanup = journal.delete();
      }
      if (superseded) {
        await cleanup;
        return;
      }
      await Promise.all([cleanup, storeCachedToken(cache, key, token, now, this.skewMs, tokenCodec(context))]);
      context.events.emit("token.refreshed", { provider, integration_id: record.id, account_id: record.account_id, expires_at: new Date(token.expires_at).toISOString(), ...(chain ? { chain } : {}) });
    };
    try {
      await finish();
      if (!superseded && this.#options.afterRefresh) {
        await this.#options.afterRefresh(context, record, token).catch((error: unknown) => {
          context.logger.warn({ provider, integration_id: record.id, error_code: SdkError.is(error) ? error.code : "unknown" }, "post-refresh step failed; the refreshed token is stored");
        });
      }
    } catch (error) {
      // The provider rotated, and the new refresh token is only in this process: the callers get the (retryable)
      // error now, and the lock stays held while the write is retried until shortly before the lease ends.
      if (!recordSaved && SdkError.is(error) && error.retryable) hold.keepUntil(this.#keepSaving(context, record, finish, hold.leaseEndsAt));
      throw error;
    }
    return token;
  }

  /** Retries `finish` (store a rotated refresh token) with backoff while the lease lasts; logs when it could not. */
  async #keepSaving(context: OAuthContext, record: Integration, finish: () => Promise<void>, leaseEndsAt: number): Promise<void> {
    const where = { provider: this.#options.id, integration_id: record.id };
    // Stop with time to spare: a write still running when the lease ends could race the next holder.
    const stopAt = leaseEndsAt - Math.min(1000, (leaseEndsAt - wallClockNow()) / 4);
    for (let delay = 50; wallClockNow() + delay < stopAt; delay = Math.min(delay * 2, 1000)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        await finish();
        context.logger.warn(where, "stored a rotated refresh token after the store or cache came back");
        return;
      } catch (error) {
        if (!SdkError.is(error) || !error.retryable) break;
      }
    }
    context.logger.error(where, "could not store a rotated refresh token before the refresh lock's lease ended; the next refresh presents the previous one, which works only within the provider's reuse window");
  }
}
