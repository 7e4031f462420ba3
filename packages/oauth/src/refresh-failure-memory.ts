// A failed refresh remembered for a moment in the cache (DESIGN section 7, step 3): the callers waiting on that
// refresh's lock get its error instead of each calling the provider again, and refresh-ahead stands down meanwhile.
// Only the error's code and retryability are kept: never a token or the provider's text.
import { SdkError, type CacheStore, type Integration } from "@sdk/core";
import { internalKey } from "@sdk/core/provider-kit";

/** How long a failed refresh is remembered. */
export const FAILURE_MEMORY_MS = 2000;

/** The cache key remembering a failed refresh of one chain of one integration. */
export function refreshFailureKey(keyPrefix: string, integration: Integration, chain: string): string {
  return internalKey(keyPrefix, "refresh_failed", `${integration.id}:${chain}`);
}

/** The cached token's raw value and the remembered failure, read together (one round trip on RedisCache, whose GETs travel as one MGET). */
export async function readTokenAndFailure(cache: CacheStore, tokenKey: string, failureKey: string): Promise<{ raw: string | undefined; failure: string | undefined }> {
  const [raw, failure] = await Promise.all([cache.get(tokenKey), cache.get(failureKey)]);
  return { raw, failure };
}

/** Remembers a failed refresh for `FAILURE_MEMORY_MS` (not a dead grant: the record says that). Never throws. */
export async function rememberRefreshFailure(cache: CacheStore, failureKey: string, error: unknown): Promise<void> {
  if (!SdkError.is(error) || error.code === "reauth_required") return;
  await cache.set(failureKey, JSON.stringify({ code: error.code, retryable: error.retryable }), FAILURE_MEMORY_MS).catch(() => undefined);
}

/** The error a waiter gets from a remembered failure of `provider`'s refresh. */
export function rememberedRefreshFailure(provider: string, raw: string): SdkError {
  let code: SdkError["code"] = "provider_unavailable";
  try {
    const parsed = JSON.parse(raw) as { code?: SdkError["code"] };
    if (parsed.code) code = parsed.code;
  } catch {
    // keep the default
  }
  return new SdkError(code, `A refresh of this ${provider} token failed moments ago in another caller (${code}); retry shortly.`, {
    details: { provider, shared_failure: true },
  });
}
