// The creator part of the PersistentStore contract: `list({ account_id, created_by })` finds exactly the records one
// SDK user created in one account (what Atlassian's install reads for its scopes), follows `created_by` moved by
// `update`, and forgets deleted records.
import { expect, it } from "vitest";
import type { Integration } from "./integration.js";
import type { PersistentStoreHarness } from "./run-persistent-store-contract.js";
import { sampleIntegration } from "./sample-integration.js";

type WithHarness = (run: (harness: PersistentStoreHarness) => Promise<void>) => Promise<void>;

const ids = (records: Integration[]) => records.map((record) => record.id).sort();

export function persistentStoreCreatedByCases(withHarness: WithHarness): void {
  it("lists by (account_id, created_by): that account's records of that SDK user, whatever their provider, and no other", () =>
    withHarness(async ({ store }) => {
      const account = `acct-creator-${Math.random().toString(36).slice(2)}`;
      const jira = sampleIntegration({ account_id: account, provider: "jira", natural_key: "cloud-a", created_by: "user-1" });
      const confluence = sampleIntegration({ account_id: account, provider: "confluence", natural_key: "cloud-a", created_by: "user-1" });
      const other = sampleIntegration({ account_id: account, provider: "jira", natural_key: "cloud-b", created_by: "user-2" });
      // 1.x records were written without a creator: "" is a creator like any other.
      const legacy = sampleIntegration({ account_id: account, provider: "jira", natural_key: "cloud-c", created_by: "" });
      const otherAccount = sampleIntegration({ provider: "jira", natural_key: "cloud-a", created_by: "user-1" });
      for (const record of [jira, confluence, other, legacy, otherAccount]) await store.create(record);

      const mine = await store.list({ account_id: account, created_by: "user-1" });
      expect(ids(mine)).toEqual(ids([jira, confluence]));
      expect(mine.find((record) => record.id === jira.id)).toEqual(jira);
      expect(ids(await store.list({ account_id: account, created_by: "user-2" }))).toEqual([other.id]);
      expect(ids(await store.list({ account_id: account, created_by: "" }))).toEqual([legacy.id]);
      // Combined with the other filters, every field still has to match.
      expect(ids(await store.list({ account_id: account, created_by: "user-1", provider: "confluence" }))).toEqual([confluence.id]);
      expect(ids(await store.list({ account_id: account, created_by: "user-1", providers: ["jira", "jsm"] }))).toEqual([jira.id]);
      expect(await store.list({ account_id: account, created_by: "user-1", status: "needs_reauth" })).toEqual([]);
      expect(await store.list({ account_id: account, created_by: "user-3" })).toEqual([]);
    }));

  it("follows created_by through update and delete, oldest first", () =>
    withHarness(async ({ store }) => {
      const account = `acct-creator-move-${Math.random().toString(36).slice(2)}`;
      const list = async (createdBy: string) => (await store.list({ account_id: account, created_by: createdBy })).map((record) => record.id);
      const first = sampleIntegration({ account_id: account, natural_key: "cloud-a", created_by: "user-1" });
      const second = sampleIntegration({ account_id: account, provider: "confluence", natural_key: "cloud-a", created_by: "user-2" });
      await store.create(first);
      await store.create(second);
      expect(await list("user-1")).toEqual([first.id]);

      // A re-install by another SDK user records the new creator.
      await store.update(second.id, { created_by: "user-1", updated_at: "2026-03-01T00:00:00.000Z" }, { expectedVersion: 1 });
      expect(await list("user-1")).toEqual([first.id, second.id]);
      expect(await list("user-2")).toEqual([]);
      // An update that leaves created_by alone keeps the record where it is.
      await store.update(second.id, { status: "needs_reauth", updated_at: "2026-03-02T00:00:00.000Z" }, { expectedVersion: 2 });
      expect(await list("user-1")).toEqual([first.id, second.id]);
      // A losing compare-and-set moves nothing.
      const stale = await store.update(first.id, { created_by: "user-2", updated_at: "2026-03-03T00:00:00.000Z" }, { expectedVersion: 9 }).catch((error: unknown) => error);
      expect(stale).toBeInstanceOf(Error);
      expect(await list("user-2")).toEqual([]);

      expect(await store.delete(first.id)).toBe(true);
      expect(await list("user-1")).toEqual([second.id]);
    }));
}
