// The natural-key backfill (MIGRATION.md): 1.x records get the key their provider derives, once, resumably, keeping
// their idle clock; a duplicate is reported, never merged; afterwards a re-install finds the record by its key.
import { describe, expect, it } from "vitest";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import type { Integration } from "./integration.js";
import type { ProviderDefinition } from "./provider.js";
import { sdkFixture } from "../test/sdk-fixture.js";

/** A record as 1.x wrote it: no natural key, version 0, plaintext credentials. */
function legacy(id: string, org: string | undefined, provider = "acme-key"): Integration {
  return {
    id,
    provider,
    account_id: "acct-1",
    created_by: "user-1",
    auth_type: "api_key",
    status: "active",
    scopes: [],
    credentials: { api_key: `legacy-plain-key-${id}` },
    metadata: org === undefined ? {} : { org },
    natural_key: null,
    version: 0,
    created_at: "2025-01-01T00:00:00.000Z",
    updated_at: "2025-01-02T00:00:00.000Z",
  };
}

describe("backfillNaturalKeys", () => {
  it("gives each 1.x record its derived key once, keeps updated_at, and a re-install then updates it in place", async () => {
    const { sdk, store } = sdkFixture();
    await store.create(legacy("legacy-1", "acme"));
    await store.create(legacy("legacy-2", "globex"));
    await store.create(legacy("legacy-3", undefined));
    await store.create(legacy("legacy-4", undefined, "acme-basic"));
    const keyed = await sdk.createConnection({ provider: "acme-key", account_id: "acct-1", created_by: "u", credentials: { api_key: "key-new-1111" }, metadata: { org: "initech" } });

    // Resumable: from the cursor of an interrupted run (the fleet scan's cursor), only the records after it.
    const firstTwo = await sdk.scanConnections({ limit: 2 });
    const resumed = await sdk.backfillNaturalKeys({ cursor: firstTwo.cursor!, limit: 1 });
    expect(resumed).toMatchObject({ total: 3, failed: 0, conflicts: [], cursor: null });
    const rest = await sdk.backfillNaturalKeys();
    expect(resumed.updated + rest.updated).toBe(2);
    expect(rest).toMatchObject({ total: 5, failed: 0, conflicts: [], cursor: null });

    const first = (await store.get("legacy-1"))!;
    expect(first).toMatchObject({ natural_key: "acme", version: 1, updated_at: "2025-01-02T00:00:00.000Z", credentials: { api_key: "legacy-plain-key-legacy-1" } });
    expect((await store.get("legacy-3"))?.natural_key).toBeNull();
    expect((await store.get(keyed.id))?.version).toBe(1);
    // A second run finds nothing to do.
    expect(await sdk.backfillNaturalKeys()).toMatchObject({ updated: 0, skipped: 5, total: 5, cursor: null });

    const again = await sdk.createConnection({ provider: "acme-key", account_id: "acct-1", created_by: "user-2", credentials: { api_key: "key-new-4444" }, metadata: { org: "acme" } });
    expect(again.id).toBe("legacy-1");
    expect((await sdk.listConnections({ account_id: "acct-1", provider: "acme-key" })).map((item) => item.id).sort()).toEqual(["legacy-1", "legacy-2", "legacy-3", keyed.id].sort());
  });

  it("reports a 1.x record whose key another record already holds, and leaves both as they are", async () => {
    const { sdk, store } = sdkFixture();
    const keyed = await sdk.createConnection({ provider: "acme-key", account_id: "acct-1", created_by: "u", credentials: { api_key: "key-new-2222" }, metadata: { org: "acme" } });
    await store.create(legacy("legacy-dup", "acme"));
    const result = await sdk.backfillNaturalKeys();
    expect(result).toMatchObject({ updated: 0, skipped: 1, failed: 0, total: 2, conflicts: [{ integration_id: "legacy-dup", holder: "natural_key" }] });
    expect(await store.get("legacy-dup")).toMatchObject({ natural_key: null, version: 0 });
    expect((await store.get(keyed.id))?.natural_key).toBe("acme");
  });

  it("gives records written before grant keys the grant key their provider derives, with or without a natural key to give", async () => {
    // A provider with a grant key: the org's owner (as Atlassian's is its user).
    const provider = defineApiKeyProvider({ id: "grant-key", naturalKey: ({ metadata }) => (typeof metadata.org === "string" ? metadata.org : null) });
    const withGrant: ProviderDefinition = { ...provider, grantKey: ({ metadata }) => (typeof metadata.owner === "string" ? `owner:${metadata.owner}` : null) };
    const { sdk, store } = sdkFixture({ providers: [withGrant] });
    const backfill = () => sdk.backfillNaturalKeys();
    await store.create({ ...legacy("both", "acme", "grant-key"), metadata: { org: "acme", owner: "alice" } });
    await store.create({ ...legacy("grant-only", "globex", "grant-key"), natural_key: "globex", version: 3, metadata: { org: "globex", owner: "alice" } });
    await store.create({ ...legacy("duplicate", "globex", "grant-key"), metadata: { org: "globex", owner: "bob" } });
    await store.create({ ...legacy("none", undefined, "grant-key"), metadata: {} });

    const result = await backfill();
    expect(result).toMatchObject({ updated: 3, grant_keys: 3, skipped: 1, failed: 0, total: 4, cursor: null, conflicts: [{ integration_id: "duplicate", holder: "natural_key" }] });
    expect(await store.get("both")).toMatchObject({ natural_key: "acme", grant_key: "owner:alice", version: 1, updated_at: "2025-01-02T00:00:00.000Z" });
    expect(await store.get("grant-only")).toMatchObject({ natural_key: "globex", grant_key: "owner:alice", version: 4 });
    // The natural key is another record's: reported, and the grant key is given all the same.
    expect(await store.get("duplicate")).toMatchObject({ natural_key: null, grant_key: "owner:bob" });
    expect((await store.list({ account_id: "acct-1", grant_key: "owner:alice" })).map((record) => record.id).sort()).toEqual(["both", "grant-only"]);
    expect(await backfill()).toMatchObject({ updated: 0, grant_keys: 0, skipped: 3, total: 4 });
  });

  it("stops at once when its signal is aborted, with the cursor it started from", async () => {
    const { sdk, store } = sdkFixture();
    await store.create(legacy("legacy-1", "acme"));
    const controller = new AbortController();
    controller.abort();
    expect(await sdk.backfillNaturalKeys({ signal: controller.signal })).toMatchObject({ updated: 0, total: 0, cursor: null });
    expect((await store.get("legacy-1"))?.natural_key).toBeNull();
  });
});
