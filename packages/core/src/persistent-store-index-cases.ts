// The indexed lookups of the PersistentStore contract, besides account, provider and natural key:
// - `list({ account_id, grant_key })` finds exactly the records of one account holding one grant key (the Atlassian
//   grant family lookup), follows keys moved or removed by `update`, forgets deleted records, and leaves records
//   without a key (1.x, or written before grant keys) out;
// - `list({ account_id, created_by })` finds exactly the records one SDK user created in one account (what an
//   Atlassian install reads for its scopes), follows `created_by` moved by `update`, and forgets deleted records.
import { expect, it } from "vitest";
import type { Integration } from "./integration.js";
import type { PersistentStoreHarness } from "./run-persistent-store-contract.js";
import { sampleIntegration } from "./sample-integration.js";

type WithHarness = (run: (harness: PersistentStoreHarness) => Promise<void>) => Promise<void>;

const ids = (records: Integration[]) => records.map((record) => record.id).sort();

export function persistentStoreIndexCases(withHarness: WithHarness): void {
  grantKeyCases(withHarness);
  createdByCases(withHarness);
}

function grantKeyCases(withHarness: WithHarness): void {
  it("lists by (account_id, grant_key): that account's records with that key, whatever their provider, and no other", () =>
    withHarness(async ({ store }) => {
      const account = `acct-grant-${Math.random().toString(36).slice(2)}`;
      const jira = sampleIntegration({ account_id: account, provider: "jira", natural_key: "cloud-a", grant_key: "atlassian:alice" });
      const confluence = sampleIntegration({ account_id: account, provider: "confluence", natural_key: "cloud-a", grant_key: "atlassian:alice" });
      const bob = sampleIntegration({ account_id: account, provider: "jira", natural_key: "cloud-b", grant_key: "atlassian:bob" });
      const legacy = sampleIntegration({ account_id: account, provider: "jira", natural_key: "cloud-c" });
      const otherAccount = sampleIntegration({ provider: "jira", natural_key: "cloud-a", grant_key: "atlassian:alice" });
      for (const record of [jira, confluence, bob, legacy, otherAccount]) await store.create(record);

      const alice = await store.list({ account_id: account, grant_key: "atlassian:alice" });
      expect(ids(alice)).toEqual(ids([jira, confluence]));
      expect(alice.find((record) => record.id === jira.id)).toEqual(jira);
      expect(ids(await store.list({ account_id: account, grant_key: "atlassian:bob" }))).toEqual([bob.id]);
      // Combined with the other filters, every field still has to match.
      expect(ids(await store.list({ account_id: account, grant_key: "atlassian:alice", provider: "confluence" }))).toEqual([confluence.id]);
      expect(ids(await store.list({ account_id: account, grant_key: "atlassian:alice", providers: ["jira", "jsm"] }))).toEqual([jira.id]);
      expect(await store.list({ account_id: account, grant_key: "atlassian:alice", status: "needs_reauth" })).toEqual([]);
      expect(await store.list({ account_id: account, grant_key: "atlassian:carol" })).toEqual([]);
      // The record without a key is still listed by the other filters, and reads without one.
      expect(ids(await store.list({ account_id: account, provider: "jira" }))).toEqual(ids([jira, bob, legacy]));
      expect((await store.get(legacy.id))?.grant_key ?? null).toBeNull();
    }));

  it("follows the grant key through update (given, moved, removed) and delete, oldest first", () =>
    withHarness(async ({ store }) => {
      const account = `acct-grant-move-${Math.random().toString(36).slice(2)}`;
      const list = async (grantKey: string) => (await store.list({ account_id: account, grant_key: grantKey })).map((record) => record.id);
      const first = sampleIntegration({ account_id: account, natural_key: "cloud-a", grant_key: "atlassian:alice" });
      // Written without a key (1.x, or before grant keys existed), as a migration finds it.
      const learner = sampleIntegration({ account_id: account, provider: "confluence", natural_key: "cloud-a" });
      await store.create(first);
      await store.create(learner);
      expect(await list("atlassian:alice")).toEqual([first.id]);

      const given = await store.update(learner.id, { grant_key: "atlassian:alice", updated_at: "2026-03-01T00:00:00.000Z" }, { expectedVersion: 1 });
      expect(given.grant_key).toBe("atlassian:alice");
      expect(await list("atlassian:alice")).toEqual([first.id, learner.id]);

      // An update that leaves grant_key alone keeps the record where it is.
      await store.update(learner.id, { status: "needs_reauth", updated_at: "2026-03-02T00:00:00.000Z" }, { expectedVersion: 2 });
      expect(await list("atlassian:alice")).toEqual([first.id, learner.id]);

      await store.update(first.id, { grant_key: "atlassian:bob", updated_at: "2026-03-03T00:00:00.000Z" }, { expectedVersion: 1 });
      expect(await list("atlassian:alice")).toEqual([learner.id]);
      expect(await list("atlassian:bob")).toEqual([first.id]);

      const removed = await store.update(first.id, { grant_key: null, updated_at: "2026-03-04T00:00:00.000Z" }, { expectedVersion: 2 });
      expect(removed.grant_key ?? null).toBeNull();
      expect(await list("atlassian:bob")).toEqual([]);

      expect(await store.delete(learner.id)).toBe(true);
      expect(await list("atlassian:alice")).toEqual([]);
      // A key that grows again after the last record left starts from nothing.
      const later = sampleIntegration({ account_id: account, natural_key: "cloud-z", grant_key: "atlassian:alice" });
      await store.create(later);
      expect(await list("atlassian:alice")).toEqual([later.id]);
    }));

  it("a losing compare-and-set moves no grant key", () =>
    withHarness(async ({ store }) => {
      const account = `acct-grant-cas-${Math.random().toString(36).slice(2)}`;
      const record = sampleIntegration({ account_id: account, grant_key: "atlassian:alice" });
      await store.create(record);
      const stale = await store.update(record.id, { grant_key: "atlassian:bob", updated_at: "2026-03-01T00:00:00.000Z" }, { expectedVersion: 7 }).catch((error: unknown) => error);
      expect(stale).toBeInstanceOf(Error);
      expect((await store.list({ account_id: account, grant_key: "atlassian:alice" })).map((item) => item.id)).toEqual([record.id]);
      expect(await store.list({ account_id: account, grant_key: "atlassian:bob" })).toEqual([]);
    }));
}

function createdByCases(withHarness: WithHarness): void {
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

      // An update of created_by moves the record to the new creator's set.
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
