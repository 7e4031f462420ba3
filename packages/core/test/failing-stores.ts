// Outage injection: a PersistentStore and a CacheStore whose every call rejects with what `fail` returns for it.
// Not a stand-in for a working store (those are the real MemoryStore / MemoryCache); only the failure paths use these.
import type { CacheStore } from "../src/cache-store.js";
import type { PersistentStore } from "../src/persistent-store.js";

export type FailureFactory = (operation: string, args: unknown[]) => unknown;

export function failingStore(fail: FailureFactory): PersistentStore {
  const reject = (operation: string) => (...args: unknown[]) => Promise.reject(fail(operation, args));
  return { get: reject("get"), create: reject("create"), update: reject("update"), delete: reject("delete"), list: reject("list") };
}

export function failingCache(fail: FailureFactory): CacheStore {
  const reject = (operation: string) => (...args: unknown[]) => Promise.reject(fail(operation, args));
  return { get: reject("get"), set: reject("set"), delete: reject("delete"), setIfAbsent: reject("setIfAbsent"), deleteIfEquals: reject("deleteIfEquals") };
}
