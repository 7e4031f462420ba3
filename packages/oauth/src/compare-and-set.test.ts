// compareAndSet against the real repository and MemoryStore: it writes against the version it read, re-reads on a
// conflict, writes nothing when the change says so, and treats a record deleted under it as skipped.
import { SdkError } from "@sdk/core";
import { describe, expect, it } from "vitest";
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
});
