// The fleet-scan part of the PersistentStore contract: ascending-id pages, resumable across writes, bounded by
// `limit`, filters, and the SDK pages on top (scanConnections, paginated listConnections) over the same store.
import { expect, it } from "vitest";
import type { ConnectionPage } from "./connection-scan.js";
import { createSDK } from "./create-sdk.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import type { Integration } from "./integration.js";
import type { PersistentStore, StoreScanQuery } from "./persistent-store.js";
import type { PersistentStoreHarness } from "./run-persistent-store-contract.js";
import { sampleIntegration } from "./sample-integration.js";
import { SdkError } from "./sdk-error.js";

type WithHarness = (run: (harness: PersistentStoreHarness) => Promise<void>) => Promise<void>;

/** Every page of a store scan, checking each page's own promises on the way. */
async function scanAll(store: PersistentStore, query: Omit<StoreScanQuery, "after">): Promise<Integration[][]> {
  const pages: Integration[][] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.scan!({ ...query, ...(after === undefined ? {} : { after }) });
    expect(page.records.length).toBeLessThanOrEqual(query.limit);
    const ids = page.records.map((record) => record.id);
    expect(ids).toEqual([...ids].sort());
    if (after !== undefined) expect(ids.every((id) => id > after!)).toBe(true);
    pages.push(page.records);
    if (page.after === null) return pages;
    expect(page.after > (after ?? "")).toBe(true);
    after = page.after;
    expect(pages.length).toBeLessThan(1000);
  }
}

const idsOf = (records: Integration[]) => records.map((record) => record.id);

export function persistentStoreScanCases(withHarness: WithHarness): void {
  it("scans every record once in ascending id order, a bounded page at a time, with account, provider and status filters", () =>
    withHarness(async ({ store, raw }) => {
      const tag = Math.random().toString(36).slice(2, 8);
      const created: Integration[] = [];
      for (let index = 0; index < 23; index++) {
        created.push(
          sampleIntegration({
            account_id: `acct-scan-${tag}-${index % 3}`,
            provider: index % 2 === 0 ? "jira" : "slack",
            status: index % 5 === 0 ? "needs_reauth" : "active",
          }),
        );
      }
      for (const record of created) await store.create(record);
      const expectIds = (records: Integration[]) => idsOf(records).sort();

      const pages = await scanAll(store, { limit: 5 });
      expect(pages.length).toBeGreaterThanOrEqual(5);
      expect(pages.flat().map((record) => record.id)).toEqual(expectIds(created));
      // The records come back as stored, credentials untouched (the store never decrypts).
      const first = pages.flat()[0]!;
      expect(first).toEqual(created.find((record) => record.id === first.id));
      expect(JSON.stringify(await raw(first.id))).toContain(JSON.stringify(first.credentials));

      const byAccount = (await scanAll(store, { account_id: `acct-scan-${tag}-1`, limit: 2 })).flat();
      expect(idsOf(byAccount)).toEqual(expectIds(created.filter((record) => record.account_id === `acct-scan-${tag}-1`)));
      const byProvider = (await scanAll(store, { provider: "slack", limit: 4 })).flat();
      expect(idsOf(byProvider)).toEqual(expectIds(created.filter((record) => record.provider === "slack")));
      const byStatus = (await scanAll(store, { status: "needs_reauth", limit: 3 })).flat();
      expect(idsOf(byStatus)).toEqual(expectIds(created.filter((record) => record.status === "needs_reauth")));
      const combined = (await scanAll(store, { account_id: `acct-scan-${tag}-0`, provider: "jira", status: "active", limit: 1 })).flat();
      expect(idsOf(combined)).toEqual(
        expectIds(created.filter((record) => record.account_id === `acct-scan-${tag}-0` && record.provider === "jira" && record.status === "active")),
      );
      expect((await scanAll(store, { account_id: `acct-scan-${tag}-none`, limit: 10 })).flat()).toEqual([]);
    }));

  it("resumes after writes between pages: records present throughout come exactly once, a record deleted before its page never", () =>
    withHarness(async ({ store }) => {
      const records = Array.from({ length: 30 }, () => sampleIntegration());
      for (const record of records) await store.create(record);
      const sorted = [...records].sort((a, b) => (a.id < b.id ? -1 : 1));
      const first = await store.scan!({ limit: 10 });
      expect(idsOf(first.records)).toEqual(idsOf(sorted.slice(0, 10)));
      expect(first.after).toBe(sorted[9]!.id);

      // Meanwhile: a seen record changes, an unseen one is deleted, another unseen one changes status, new ones arrive.
      await store.update(sorted[2]!.id, { status: "revoked", updated_at: "2026-03-01T00:00:00.000Z" }, { expectedVersion: 1 });
      await store.delete(sorted[20]!.id);
      await store.update(sorted[25]!.id, { status: "needs_reauth", updated_at: "2026-03-01T00:00:00.000Z" }, { expectedVersion: 1 });
      const added = Array.from({ length: 5 }, () => sampleIntegration());
      for (const record of added) await store.create(record);

      const rest: Integration[] = [];
      let after: string | null = first.after;
      while (after !== null) {
        const page = await store.scan!({ after, limit: 10 });
        rest.push(...page.records);
        after = page.after;
      }
      const restIds = idsOf(rest);
      expect(new Set(restIds).size).toBe(restIds.length);
      for (const record of sorted.slice(10)) {
        if (record.id === sorted[20]!.id) expect(restIds).not.toContain(record.id);
        else expect(restIds).toContain(record.id);
      }
      for (const record of sorted.slice(0, 10)) expect(restIds).not.toContain(record.id);
      expect(rest.find((record) => record.id === sorted[25]!.id)!.status).toBe("needs_reauth");
      // A record created after the scan passed its place is not returned; one created ahead of it is.
      for (const record of added) expect(restIds.includes(record.id)).toBe(record.id > sorted[9]!.id);
    }));

  it("pages the SDK's scanConnections and listConnections over the store: summaries only, a cursor tied to its filter", () =>
    withHarness(async ({ store }) => {
      const secret = "planted-scan-secret-4f1a9c";
      const sdk = createSDK({
        store,
        providers: [defineApiKeyProvider({ id: "scan-key", baseUrl: "https://api.example.test" }), defineApiKeyProvider({ id: "scan-other", baseUrl: "https://api.example.test" })],
        encryption: { keys: [{ id: "k1", key: Buffer.alloc(32, 9).toString("base64") }] },
      });
      const account = `acct-sdkscan-${Math.random().toString(36).slice(2, 8)}`;
      const saved: string[] = [];
      for (let index = 0; index < 12; index++) {
        const provider = index % 3 === 0 ? "scan-other" : "scan-key";
        saved.push((await sdk.createConnection({ provider, account_id: index < 9 ? account : `${account}-b`, created_by: "user-1", credentials: { api_key: `${secret}-${index}` } })).id);
      }
      const seen: string[] = [];
      let cursor: string | null | undefined;
      do {
        const page = await sdk.scanConnections({ limit: 5, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(5);
        expect(JSON.stringify(page)).not.toContain(secret);
        expect(page.items.every((item) => !("credentials" in item) && item.credential_fields.includes("api_key"))).toBe(true);
        seen.push(...page.items.map((item) => item.id));
        cursor = page.cursor;
      } while (cursor);
      expect(seen).toEqual([...saved].sort());

      const firstPage = await sdk.scanConnections({ provider: "scan-key", limit: 2 });
      expect(firstPage.items.map((item) => item.provider)).toEqual(["scan-key", "scan-key"]);
      const wrongFilter = await sdk.scanConnections({ provider: "scan-other", cursor: firstPage.cursor! }).catch((error: unknown) => error);
      expect(SdkError.is(wrongFilter, "validation_failed")).toBe(true);
      expect((wrongFilter as SdkError).details).toMatchObject({ field: "scanConnections.cursor" });
      const garbage = await sdk.scanConnections({ cursor: "bm90LWEtY3Vyc29y" }).catch((error: unknown) => error);
      expect((garbage as SdkError).details).toMatchObject({ field: "scanConnections.cursor" });
      const tooMany = await sdk.scanConnections({ limit: 1001 }).catch((error: unknown) => error);
      expect((tooMany as SdkError).details).toMatchObject({ field: "scanConnections.limit" });

      const listed: string[] = [];
      let next: string | null = null;
      do {
        const page: ConnectionPage = await sdk.listConnections({ account_id: account, limit: 4, ...(next ? { cursor: next } : {}) });
        listed.push(...page.items.map((item) => item.id));
        next = page.cursor;
      } while (next);
      expect(listed).toEqual(saved.slice(0, 9).sort());
      const whole = await sdk.listConnections({ account_id: account });
      expect(whole.map((item) => item.id).sort()).toEqual(saved.slice(0, 9).sort());
    }));
}
