// The real MemoryStore / MemoryCache with one seam each, for the refresh tests that need a store to misbehave at an
// exact point (a delete racing the write, an outage) or need to see which rotation-journal keys were written.
import type { CacheStore, PersistentStore } from "@sdk/core";

/** `store` whose `update(id, ...)` first runs `before(id)` (which may delete the record or throw like an outage). */
export function beforeEachUpdate<S extends PersistentStore>(store: S, before: (id: string) => Promise<void> | void): PersistentStore {
  return new Proxy(store, {
    get(target, name) {
      const member = Reflect.get(target, name, target) as unknown;
      if (typeof member !== "function") return member;
      if (name !== "update") return member.bind(target);
      return async (id: string, ...rest: unknown[]) => {
        await before(id);
        return (member as (...args: unknown[]) => unknown).apply(target, [id, ...rest]);
      };
    },
  }) as PersistentStore;
}

/** `cache` that records the keys of every rotation-journal write into `keys`. */
export function recordingJournalKeys<C extends CacheStore>(cache: C, keys: Set<string>): CacheStore {
  return new Proxy(cache, {
    get(target, name) {
      const member = Reflect.get(target, name, target) as unknown;
      if (typeof member !== "function") return member;
      return (key: string, ...rest: unknown[]) => {
        if (name === "set" && key.includes(":rotation:")) keys.add(key);
        return (member as (...args: unknown[]) => unknown).apply(target, [key, ...rest]);
      };
    },
  }) as CacheStore;
}
