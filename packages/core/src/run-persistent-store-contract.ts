// The PersistentStore contract as a reusable vitest suite. Every store runs it once, with a `raw` reader of the
// underlying engine so the suite checks what was really stored, not only what the store hands back.
import { describe, expect, it } from "vitest";
import { createSDK } from "./create-sdk.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import type { Integration } from "./integration.js";
import type { PersistentStore } from "./persistent-store.js";
import { persistentStoreIndexCases } from "./persistent-store-index-cases.js";
import { persistentStoreScanCases } from "./persistent-store-scan-cases.js";
import { sampleIntegration } from "./sample-integration.js";
import { SdkError } from "./sdk-error.js";

export interface PersistentStoreHarness {
  store: PersistentStore;
  /** Reads the record as the engine holds it (a Mongo document, a Redis value), bypassing the store. */
  raw(id: string): Promise<unknown>;
  cleanup?(): Promise<void>;
}

export interface PersistentStoreContractOptions {
  /** When set, the suite is skipped and this reason is part of its name. */
  skipReason?: string;
}

async function withHarness(factory: () => Promise<PersistentStoreHarness>, run: (harness: PersistentStoreHarness) => Promise<void>) {
  const harness = await factory();
  try {
    await run(harness);
  } finally {
    await harness.cleanup?.();
  }
}

export function runPersistentStoreContract(name: string, factory: () => Promise<PersistentStoreHarness>, options: PersistentStoreContractOptions = {}): void {
  const suite = options.skipReason ? describe.skip : describe;
  suite(`PersistentStore contract: ${name}${options.skipReason ? ` (skipped: ${options.skipReason})` : ""}`, () => {
    it("creates, reads back an equal copy, and returns undefined for an unknown id", () =>
      withHarness(factory, async ({ store }) => {
        const original = sampleIntegration();
        await store.create(original);
        const read = await store.get(original.id);
        expect(read).toEqual(original);
        read!.metadata.cloud_id = "mutated";
        expect((await store.get(original.id))!.metadata.cloud_id).toBe("cloud-1");
        expect(await store.get(`${original.id}-missing`)).toBeUndefined();
      }));

    it("refuses a second create with the same id (integration_exists) and keeps the first", () =>
      withHarness(factory, async ({ store }) => {
        const first = sampleIntegration();
        await store.create(first);
        const error = await store.create({ ...first, account_id: "other" }).catch((caught: unknown) => caught);
        expect(SdkError.is(error, "integration_exists")).toBe(true);
        expect((error as SdkError).details).toMatchObject({ conflict: "id" });
        expect((await store.get(first.id))!.account_id).toBe(first.account_id);
      }));

    it("keeps one record per (provider, account_id, natural_key): a second is integration_exists until the key is free", () =>
      withHarness(factory, async ({ store, raw }) => {
        const account = `acct-unique-${Math.random().toString(36).slice(2)}`;
        const isNaturalKeyConflict = (error: unknown) => SdkError.is(error, "integration_exists") && (error as SdkError).details?.conflict === "natural_key";
        const ids = async (naturalKey: string) => (await store.list({ account_id: account, provider: "jira", natural_key: naturalKey })).map((item) => item.id);
        const first = sampleIntegration({ account_id: account, natural_key: "cloud-a" });
        await store.create(first);

        const duplicate = sampleIntegration({ account_id: account, natural_key: "cloud-a" });
        expect(isNaturalKeyConflict(await store.create(duplicate).catch((caught: unknown) => caught))).toBe(true);
        expect(await store.get(duplicate.id)).toBeUndefined();
        expect(await raw(duplicate.id)).toBeUndefined();
        expect(await ids("cloud-a")).toEqual([first.id]);

        // The same key under another account or provider, and any number of records without a key, are fine.
        await store.create(sampleIntegration({ account_id: `${account}-other`, natural_key: "cloud-a" }));
        await store.create(sampleIntegration({ account_id: account, provider: "confluence", natural_key: "cloud-a" }));
        await store.create(sampleIntegration({ account_id: account, natural_key: null }));
        await store.create(sampleIntegration({ account_id: account, natural_key: null }));

        // An update onto a key another record holds changes nothing.
        const second = sampleIntegration({ account_id: account, natural_key: "cloud-b" });
        await store.create(second);
        const moved = await store.update(second.id, { natural_key: "cloud-a", status: "revoked", updated_at: "2026-02-01T00:00:00.000Z" }, { expectedVersion: 1 }).catch((caught: unknown) => caught);
        expect(isNaturalKeyConflict(moved)).toBe(true);
        expect(await store.get(second.id)).toEqual(second);
        expect(await ids("cloud-a")).toEqual([first.id]);
        // An update that keeps its own key is no conflict.
        await store.update(second.id, { natural_key: "cloud-b", updated_at: "2026-02-01T00:00:00.000Z" }, { expectedVersion: 1 });

        // Moving the holder to another key frees its old key, and takes the new one.
        await store.update(first.id, { natural_key: "cloud-c", updated_at: "2026-02-01T00:00:00.000Z" }, { expectedVersion: 1 });
        const reuse = sampleIntegration({ account_id: account, natural_key: "cloud-a" });
        await store.create(reuse);
        expect(await ids("cloud-a")).toEqual([reuse.id]);
        expect(isNaturalKeyConflict(await store.create(sampleIntegration({ account_id: account, natural_key: "cloud-c" })).catch((caught: unknown) => caught))).toBe(true);

        // Deleting the holder frees its key.
        expect(await store.delete(reuse.id)).toBe(true);
        const again = sampleIntegration({ account_id: account, natural_key: "cloud-a" });
        await store.create(again);
        expect(await ids("cloud-a")).toEqual([again.id]);
      }));

    it("updates compare-and-set: the version moves by one and a stale version is integration_conflict", () =>
      withHarness(factory, async ({ store, raw }) => {
        const original = sampleIntegration();
        await store.create(original);
        const updated = await store.update(original.id, { status: "needs_reauth", updated_at: "2026-02-01T00:00:00.000Z" }, { expectedVersion: 1 });
        expect(updated.version).toBe(2);
        expect(updated.status).toBe("needs_reauth");
        expect(updated.scopes).toEqual(original.scopes);
        const stale = await store.update(original.id, { status: "active", updated_at: "2026-02-02T00:00:00.000Z" }, { expectedVersion: 1 }).catch((caught: unknown) => caught);
        expect(SdkError.is(stale, "integration_conflict")).toBe(true);
        expect(JSON.stringify(await raw(original.id))).toContain("needs_reauth");
        expect((await store.get(original.id))!.version).toBe(2);
      }));

    it("takes a 1.x record without version as version 0: compare-and-set moves it to 1", () =>
      withHarness(factory, async ({ store, raw }) => {
        const { version: _version, created_at: _created, updated_at: _updated, natural_key: _key, ...legacy } = sampleIntegration();
        await store.create(legacy as Integration);
        const updated = await store.update(legacy.id, { credentials: { api_key: "rewritten" }, updated_at: "2026-02-01T00:00:00.000Z" }, { expectedVersion: 0 });
        expect(updated.version).toBe(1);
        expect(JSON.stringify(await raw(legacy.id))).toContain("rewritten");
        const stale = await store.update(legacy.id, { status: "revoked", updated_at: "2026-02-02T00:00:00.000Z" }, { expectedVersion: 0 }).catch((caught: unknown) => caught);
        expect(SdkError.is(stale, "integration_conflict")).toBe(true);
        expect((await store.list({ account_id: legacy.account_id })).map((item) => item.id)).toEqual([legacy.id]);
      }));

    it("update of an unknown id is integration_not_found", () =>
      withHarness(factory, async ({ store }) => {
        const error = await store.update("no-such-id", { status: "active", updated_at: "2026-02-01T00:00:00.000Z" }, { expectedVersion: 1 }).catch((caught: unknown) => caught);
        expect(SdkError.is(error, "integration_not_found")).toBe(true);
      }));

    it("lets exactly one of 20 concurrent writers of one version win", () =>
      withHarness(factory, async ({ store }) => {
        const original = sampleIntegration();
        await store.create(original);
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, index) =>
            store.update(original.id, { credentials: { refresh_token: `rt-${index}` }, updated_at: "2026-02-01T00:00:00.000Z" }, { expectedVersion: 1 }),
          ),
        );
        const won = results.filter((result) => result.status === "fulfilled");
        const lost = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost.every((result) => SdkError.is(result.reason, "integration_conflict"))).toBe(true);
        const stored = await store.get(original.id);
        expect(stored!.version).toBe(2);
        expect(stored!.credentials).toEqual((won[0] as PromiseFulfilledResult<Integration>).value.credentials);
      }));

    it("deletes once", () =>
      withHarness(factory, async ({ store, raw }) => {
        const original = sampleIntegration();
        await store.create(original);
        expect(await store.delete(original.id)).toBe(true);
        expect(await store.delete(original.id)).toBe(false);
        expect(await store.get(original.id)).toBeUndefined();
        expect(await raw(original.id)).toBeUndefined();
      }));

    it("lists by account, provider, providers, status and natural key, oldest first", () =>
      withHarness(factory, async ({ store }) => {
        const account = `acct-list-${Math.random().toString(36).slice(2)}`;
        const jira = sampleIntegration({ account_id: account, provider: "jira", natural_key: "cloud-a" });
        const confluence = sampleIntegration({ account_id: account, provider: "confluence", natural_key: "cloud-a" });
        const slack = sampleIntegration({ account_id: account, provider: "slack", natural_key: "T1", status: "needs_reauth" });
        const otherAccount = sampleIntegration({ provider: "jira", natural_key: "cloud-a" });
        for (const item of [slack, confluence, jira, otherAccount]) await store.create(item);
        const ids = (items: Integration[]) => items.map((item) => item.id);
        // created_at: jira < confluence < slack, whatever the insertion order
        expect(ids(await store.list({ account_id: account }))).toEqual([jira.id, confluence.id, slack.id]);
        expect(ids(await store.list({ account_id: account, provider: "jira" }))).toEqual([jira.id]);
        expect(ids(await store.list({ account_id: account, providers: ["jira", "confluence"] })).sort()).toEqual([jira.id, confluence.id].sort());
        expect(ids(await store.list({ account_id: account, status: "needs_reauth" }))).toEqual([slack.id]);
        expect(ids(await store.list({ account_id: account, provider: "jira", natural_key: "cloud-a" }))).toEqual([jira.id]);
        expect(ids(await store.list({ provider: "jira", natural_key: "cloud-a" })).sort()).toEqual([jira.id, otherAccount.id].sort());
        expect(await store.list({ account_id: `${account}-none` })).toEqual([]);
      }));

    it("stores what the SDK encrypts as ciphertext: the planted secret is nowhere in the raw record", () =>
      withHarness(factory, async ({ store, raw }) => {
        const secret = "planted-api-key-7d0c2f9e1b";
        const sdk = createSDK({
          store,
          providers: [defineApiKeyProvider({ id: "contract-key", baseUrl: "https://api.example.test" })],
          encryption: { keys: [{ id: "k1", key: Buffer.alloc(32, 7).toString("base64") }] },
        });
        const saved = await sdk.createConnection({ provider: "contract-key", account_id: "acct-enc", created_by: "user-1", credentials: { api_key: secret } });
        const stored = await raw(saved.id);
        expect(stored).toBeDefined();
        expect(JSON.stringify(stored)).not.toContain(secret);
        expect(JSON.stringify(stored)).toMatch(/"kid":"k1"/);
        const runtime = await sdk.resolveConnection(saved.id);
        expect(runtime.api_key).toBe(secret);
      }));

    persistentStoreScanCases((run) => withHarness(factory, run));
    persistentStoreIndexCases((run) => withHarness(factory, run));
  });
}
