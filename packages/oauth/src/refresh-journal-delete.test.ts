// A refresh racing `deleteConnection`: the record vanishes between the holder's re-read and its write of the rotated
// refresh token. The write is skipped (nothing to store for a deleted connection) and the rotation journal goes with
// it, instead of staying in the cache for its 7-day TTL (found by a soak: journal keys of deleted integrations).
import { MemoryCache, MemoryStore } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../test/harness.js";
import { beforeEachUpdate, recordingJournalKeys } from "../test/intercepting-stores.js";
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
    // The armed update first deletes the record, as a concurrent deleteConnection would.
    const store = beforeEachUpdate(memoryStore, async (id) => {
      if (id !== deleteBeforeWrite) return;
      deleteBeforeWrite = undefined;
      await memoryStore.delete(id);
    });
    const journalKeys = new Set<string>();
    const cache = recordingJournalKeys(memoryCache, journalKeys);
    const h = (harness = await startHarness({ clock, store, cache, server: { reuseWindowMs: 0 }, provider: { refreshReuseWindow: false } }));
    const { integrationId } = await h.install();
    h.clock.advance(3600 * 1000);
    deleteBeforeWrite = integrationId;

    await h.sdk.resolveConnection(integrationId).catch(() => undefined);

    expect(journalKeys.size, "the refresh wrote its journal before the record write").toBe(1);
    expect(await memoryStore.get(integrationId)).toBeUndefined();
    expect(await memoryCache.get([...journalKeys][0]!)).toBeUndefined();
  });
});
