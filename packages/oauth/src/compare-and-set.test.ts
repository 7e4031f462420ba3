// compareAndSet against the real repository and MemoryStore: it writes against the version it read, re-reads on a
// conflict, writes nothing when the change says so, and treats a record deleted under it as skipped.
import { SdkError } from "@sdk/core";
import { describe, expect, it, vi } from "vitest";
import { partContext } from "../test/provider-context.js";
import { compareAndSet } from "./compare-and-set.js";

describe("compareAndSet", () => {
  it("writes the change and moves the version", async () => {
    const parts = partContext();
    const seeded = await parts.seed();
    expect(await compareAndSet(parts.context, seeded.id, () => ({ status: "needs_reauth" }))).toBe("written");
    const after = await parts.context.integrations.require(seeded.id);
    expect(after.status).toBe("needs_reauth");
    expect(after.version).toBe(seeded.version + 1);
  });

  it("re-reads after a concurrent write and decides again on the newer record", async () => {
    const parts = partContext();
    const seeded = await parts.seed({ credentials: { refresh_token: "r1" } });
    const seen: unknown[] = [];
    let raced = false;
    const outcome = await compareAndSet(parts.context, seeded.id, (current) => {
      seen.push(current.credentials.refresh_token);
      if (!raced) {
        raced = true;
        // Another writer moves the record between this read and this write.
        void parts.store.update(current.id, { scopes: ["other"], updated_at: new Date().toISOString() }, { expectedVersion: current.version });
      }
      return { credentials: { ...current.credentials, refresh_token: "r2" } };
    });
    expect(outcome).toBe("written");
    expect(seen).toEqual(["r1", "r1"]);
    const after = await parts.context.integrations.require(seeded.id);
    expect(after.scopes).toEqual(["other"]);
    expect(after.credentials.refresh_token).toBe("r2");
  });

  it("is skipped when the change needs nothing or the record is gone, also when it vanishes between read and write", async () => {
    const parts = partContext();
    const seeded = await parts.seed();
    expect(await compareAndSet(parts.context, seeded.id, () => undefined)).toBe("skipped");
    expect(await compareAndSet(parts.context, "missing", () => ({ status: "revoked" }))).toBe("skipped");
    const outcome = await compareAndSet(parts.context, seeded.id, (current) => {
      void parts.store.delete(current.id);
      return { status: "revoked" };
    });
    expect(outcome).toBe("skipped");
    expect(await parts.store.get(seeded.id)).toBeUndefined();
  });

  it("gives up with integration_conflict when the record keeps moving", async () => {
    const parts = partContext();
    const seeded = await parts.seed();
    const error = await compareAndSet(parts.context, seeded.id, (current) => {
      void parts.store.update(current.id, { scopes: [String(current.version)], updated_at: new Date().toISOString() }, { expectedVersion: current.version });
      return { status: "revoked" };
    }).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "integration_conflict")).toBe(true);
  });

  describe("with a record the caller read already (known)", () => {
    it("decides on it and writes against its version without reading the store again", async () => {
      const parts = partContext();
      const seeded = await parts.seed({ credentials: { refresh_token: "r1" } });
      const reads = vi.spyOn(parts.store, "get");
      const outcome = await compareAndSet(parts.context, seeded.id, (current) => ({ credentials: { ...current.credentials, refresh_token: "r2" } }), seeded);
      expect(outcome).toBe("written");
      expect(reads).not.toHaveBeenCalled();
      const after = await parts.context.integrations.require(seeded.id);
      expect(after.credentials.refresh_token).toBe("r2");
      expect(after.version).toBe(seeded.version + 1);
    });

    it("a write that landed since it was read fails the first attempt; the store's record is re-read and keeps that write", async () => {
      const parts = partContext();
      const seeded = await parts.seed({ credentials: { refresh_token: "r1" } });
      // Another writer moves the record after the caller read it (e.g. during the token call).
      await parts.store.update(seeded.id, { scopes: ["moved"], updated_at: new Date().toISOString() }, { expectedVersion: seeded.version });
      const seen: number[] = [];
      const outcome = await compareAndSet(parts.context, seeded.id, (current) => {
        seen.push(current.version);
        return current.credentials.refresh_token === "r1" ? { credentials: { ...current.credentials, refresh_token: "r2" } } : undefined;
      }, seeded);
      expect(outcome).toBe("written");
      expect(seen).toEqual([seeded.version, seeded.version + 1]);
      const after = await parts.context.integrations.require(seeded.id);
      expect(after.scopes).toEqual(["moved"]);
      expect(after.credentials.refresh_token).toBe("r2");
    });

    it("never skips on it: when it needs nothing, the store's current record decides", async () => {
      const parts = partContext();
      const seeded = await parts.seed({ credentials: { refresh_token: "r1" } });
      const stale = { ...seeded, credentials: { ...seeded.credentials, refresh_token: "r0" } };
      const outcome = await compareAndSet(parts.context, seeded.id, (current) => (current.credentials.refresh_token === "r1" ? { status: "needs_reauth" } : undefined), stale);
      expect(outcome).toBe("written");
      expect((await parts.context.integrations.require(seeded.id)).status).toBe("needs_reauth");
    });

    it("is skipped when the record it names was deleted since", async () => {
      const parts = partContext();
      const seeded = await parts.seed();
      await parts.store.delete(seeded.id);
      expect(await compareAndSet(parts.context, seeded.id, () => ({ status: "revoked" }), seeded)).toBe("skipped");
      expect(await parts.store.get(seeded.id)).toBeUndefined();
    });
  });
});
