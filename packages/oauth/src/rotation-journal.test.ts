// RotationJournal alone: an entry names the replaced token only by its digest, is sealed to its grant, answers only for
// the token it replaced, and a value planted in the cache is never taken for a refresh token.
import { refreshLockKey } from "@sdk/core/provider-kit";
import { describe, expect, it } from "vitest";
import { partContext } from "../test/provider-context.js";
import { RotationJournal } from "./rotation-journal.js";

const LOCK = refreshLockKey("acme", "int-1", "acct-1");

describe("RotationJournal", () => {
  it("hands the rotated token to the holder that still has the replaced one, and to no other", async () => {
    const { context, cache } = partContext();
    const journal = new RotationJournal(context, cache, LOCK);
    expect(await journal.write("old-refresh", "new-refresh")).toBe(true);
    expect(await journal.pendingFor("old-refresh")).toBe("new-refresh");
    expect(await journal.pendingFor("new-refresh")).toBeUndefined();
    const raw = await cache.get(journal.key);
    expect(raw).toBeDefined();
    expect(raw).not.toContain("old-refresh");
    expect(raw).not.toContain("new-refresh");
  });

  it("answers the same for an entry read beforehand (read(), e.g. together with the record) as for its own read", async () => {
    const { context, cache } = partContext();
    const journal = new RotationJournal(context, cache, LOCK);
    expect(await journal.pendingFor("old-refresh", { raw: await journal.read() })).toBeUndefined();
    await journal.write("old-refresh", "new-refresh");
    const entry = { raw: await journal.read() };
    expect(await journal.pendingFor("old-refresh", entry)).toBe("new-refresh");
    expect(await journal.pendingFor("new-refresh", entry)).toBeUndefined();
    // The entry given is what counts: an empty one read earlier is not replaced by a read now.
    expect(await journal.pendingFor("old-refresh", { raw: undefined })).toBeUndefined();
  });

  it("is keyed and sealed per grant: another lock's journal cannot read it", async () => {
    const { context, cache } = partContext();
    const mine = new RotationJournal(context, cache, LOCK);
    await mine.write("old", "new");
    const other = new RotationJournal(context, cache, refreshLockKey("acme", "int-2", "acct-1"));
    expect(other.key).not.toBe(mine.key);
    // The same ciphertext under the other grant's key must not open: the lock key is its additional data.
    await cache.set(other.key, (await cache.get(mine.key))!, 60_000);
    expect(await other.pendingFor("old")).toBeUndefined();
  });

  it("ignores a plaintext entry planted in the cache", async () => {
    const { context, cache } = partContext();
    const journal = new RotationJournal(context, cache, LOCK);
    await cache.set(journal.key, JSON.stringify({ from: "x", to: "attacker-token" }), 60_000);
    expect(await journal.pendingFor("x")).toBeUndefined();
  });

  it("delete removes the entry, and a cache that refuses the write is reported, not thrown", async () => {
    const { context, cache } = partContext();
    const journal = new RotationJournal(context, cache, LOCK);
    await journal.write("old", "new");
    await journal.delete();
    expect(await cache.get(journal.key)).toBeUndefined();
    const refusing = { ...cache, get: cache.get.bind(cache), set: () => Promise.reject(new Error("cache down")), delete: () => Promise.reject(new Error("cache down")) };
    const down = new RotationJournal(context, refusing, LOCK);
    expect(await down.write("old", "new")).toBe(false);
    await expect(down.delete()).resolves.toBeUndefined();
  });
});
