// A refresh racing `deleteConnection`: the record vanishes between the holder's re-read and its write of the rotated
// refresh token. The write is skipped (nothing to store for a deleted connection) and the rotation journal goes with
// it, instead of staying in the cache for its 7-day TTL (found by a soak: journal keys of deleted integrations).
import { MemoryCache, MemoryStore, type CacheStore, type PersistentStore } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../test/harness.js";
import { ManualClock } from "./testing/manual-clock.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("a refresh racing deleteConnection", () => {
  it("skips the write of a deleted record and leaves no rotation journal behind", async () => {
    const clock = new ManualClock();
    const memoryStore = new MemoryStore();
    const memoryCache = new MemoryCache({ now: clock.now });
    let deleteBeforeWrite: string | undefined;
    // The real MemoryStore: the armed update first deletes the record, as a concurrent deleteConnection would.
    const store = new Proxy(memoryStore, {
      get(target, name) {
        const member = Reflect.get(target, name, target) as unknown;
        if (name !== "update" || typeof member !== "function") return typeof member === "function" ? member.bind(target) : member;
        return async (id: string, ...rest: unknown[]) => {
          if (id === deleteBeforeWrite) {
            deleteBeforeWrite = undefined;
            await target.delete(id);
          }
          return (member as (...args: unknown[]) => unknown).apply(target, [id, ...rest]);
        };
      },
    }) as PersistentStore;
    const journalWrites: string[] = [];
    const cache = new Proxy(memoryCache, {
      get(target, name) {
        const member = Reflect.get(target, name, target) as unknown;
        if (typeof member !== "function") return member;
        return (key: string, ...rest: unknown[]) => {
          if (name === "set" && key.includes(":rotation:")) journalWrites.push(key);
          return (member as (...args: unknown[]) => unknown).apply(target, [key, ...rest]);
        };
      },
    }) as CacheStore;
    const h = (harness = await startHarness({ clock, store, cache, server: { reuseWindowMs: 0 }, provider: { refreshReuseWindow: false } }));
    const { integrationId } = await h.install();
    h.clock.advance(3600 * 1000);
    deleteBeforeWrite = integrationId;

    await h.sdk.resolveConnection(integrationId).catch(() => undefined);

    expect(journalWrites.length, "the refresh wrote its journal before the record write").toBe(1);
    expect(await memoryStore.get(integrationId)).toBeUndefined();
    expect(await memoryCache.get(journalWrites[0]!)).toBeUndefined();
  });
});
