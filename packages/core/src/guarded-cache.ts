// Wraps the user's CacheStore so that any failure of the cache (connection refused, timeout) surfaces as the
// retryable `cache_unavailable`, whatever the implementation throws. Values and keys are never put in the error,
// and a driver error that quotes the value (ioredis keeps a command's arguments) is not kept as the cause.
import type { CacheStore } from "./cache-store.js";
import { withoutSecrets } from "./without-secrets.js";
import { SdkError } from "./sdk-error.js";

async function guard<T>(operation: string, run: () => Promise<T>, value?: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (SdkError.is(error)) throw error;
    throw new SdkError("cache_unavailable", `The cache failed during "${operation}"; retry later.`, {
      details: { operation },
      cause: withoutSecrets(error, value === undefined ? [] : [value]),
    });
  }
}

export function guardedCache(cache: CacheStore): CacheStore {
  const guarded: CacheStore = {
    get: (key) => guard("get", () => cache.get(key)),
    set: (key, value, ttlMs) => guard("set", () => cache.set(key, value, ttlMs), value),
    delete: (key) => guard("delete", () => cache.delete(key)),
    setIfAbsent: (key, value, ttlMs) => guard("setIfAbsent", () => cache.setIfAbsent(key, value, ttlMs), value),
    deleteIfEquals: (key, value) => guard("deleteIfEquals", () => cache.deleteIfEquals(key, value), value),
  };
  if (cache.waitFor) {
    const waitFor = cache.waitFor.bind(cache);
    guarded.waitFor = (key, timeoutMs, signal) => guard("waitFor", () => waitFor(key, timeoutMs, signal));
  }
  return guarded;
}
