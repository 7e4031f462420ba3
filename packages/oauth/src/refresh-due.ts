// Keep-alive of one token chain for `sdk.refreshDue`: decides whether the chain is due (access token expiring within
// the window, missing, or a grant idle past the provider's limit) and refreshes it under the same refresh lock as a
// resolve, so several workers sweeping one fleet refresh each due chain once.
import { type CacheStore, type Integration } from "@sdk/core";
import { internalKey, type RefreshDueOutcome } from "@sdk/core/provider-kit";
import { withRefreshLock, type LockHold } from "./refresh-lock.js";
import type { TokenCodec } from "./token-cache.js";

export interface DueChain {
  cache: CacheStore;
  now: () => number;
  keyPrefix: string;
  integration: Integration;
  chain: string;
  /** The chain's access-token key and refresh-lock key. */
  tokenKey: string;
  lockKey: string;
  /** Reads the cached access token the way the SDK wrote it (sealed or 1.x plaintext). */
  codec: TokenCodec;
  leaseMs: number;
  withinMs: number;
  /** The provider's idle limit of a refresh token, when it has one. */
  idleMs: number | undefined;
  /** Runs the refresh protocol's holder step (the lock is held). */
  refresh(hold: LockHold): Promise<unknown>;
}

// Bounds of the "refreshed in this sweep" marker: long enough to cover the workers of one sweep, short enough that a
// provider whose tokens live shorter than `within` is refreshed again on the next sweep, not never.
const MARKER_MIN_MS = 60_000;
const MARKER_MAX_MS = 24 * 3600 * 1000;

/**
 * The last time the grant was used, as far as the record tells: a rotating provider writes the record on every
 * refresh, so `updated_at` moves with each use. Any other write moves it too, which can only delay a keep-alive;
 * the idle limits are set well inside the provider's expiry to absorb that.
 */
function lastUse(integration: Integration): number {
  const stamp = Date.parse(integration.updated_at || integration.created_at);
  return Number.isNaN(stamp) ? 0 : stamp;
}

export async function refreshChainIfDue(chain: DueChain): Promise<RefreshDueOutcome> {
  const { cache, integration } = chain;
  const now = chain.now();
  const observed = chain.codec.decode(chain.tokenKey, await cache.get(chain.tokenKey));
  const idle = chain.idleMs !== undefined && now - lastUse(integration) >= chain.idleMs;
  if (!idle && observed && observed.expires_at - now > chain.withinMs) return "not_due";
  const marker = internalKey(chain.keyPrefix, "refresh_due", `${integration.id}:${chain.chain}`);
  if ((await cache.get(marker)) !== undefined) return "skipped";
  // Under the lock, before refreshing: another sweep marked it, or any caller cached another token since we looked.
  const done = async (): Promise<RefreshDueOutcome | undefined> => {
    if ((await cache.get(marker)) !== undefined) return "skipped";
    const current = chain.codec.decode(chain.tokenKey, await cache.get(chain.tokenKey));
    return current && current.access_token !== observed?.access_token ? "skipped" : undefined;
  };
  return withRefreshLock<RefreshDueOutcome>({ cache, lockKey: chain.lockKey, leaseMs: chain.leaseMs, waitMs: chain.leaseMs + 5000 }, done, async (hold) => {
    await chain.refresh(hold);
    await cache.set(marker, "1", Math.min(MARKER_MAX_MS, Math.max(MARKER_MIN_MS, chain.withinMs)));
    return "refreshed";
  });
}
