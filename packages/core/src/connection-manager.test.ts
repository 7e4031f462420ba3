// The records lifecycle through the public API: the three static strategies end to end, natural-key upsert,
// secret-free summaries, statuses, deletion, events, and store/cache outages mapped to retryable codes.
import { describe, expect, it, vi } from "vitest";
import { accessTokenKey } from "./cache-keys.js";
import { createSDK } from "./create-sdk.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import { MemoryStore } from "./memory-store.js";
import { SdkError } from "./sdk-error.js";
import { fakeOAuthProvider } from "../test/fake-oauth-provider.js";
import { failingCache, failingStore } from "../test/failing-stores.js";
import { KEY_1, STATE_SECRETS, sdkFixture } from "../test/sdk-fixture.js";
import { failure } from "../test/failure.js";

describe("static strategies: create, resolve, update, delete", () => {
  it("api-key: Bearer header by default, summary without the key, update in place, delete", async () => {
    const { sdk, events } = sdkFixture({ apiBaseUrl: "https://api.acme.test" });
    const saved = await sdk.createConnection({ provider: "acme-key", account_id: "acct-1", created_by: "user-1", credentials: { api_key: "key-one-1111" } });
    expect(saved).toMatchObject({ provider: "acme-key", auth_type: "api_key", status: "active", version: 1, credential_fields: ["api_key"], natural_key: null });
    expect(saved).not.toHaveProperty("credentials");
    const runtime = await sdk.resolveConnection(saved.id);
    expect(runtime).toEqual({
      provider: "acme-key",
      integration_id: saved.id,
      account_id: "acct-1",
      api_base_url: "https://api.acme.test",
      api_key: "key-one-1111",
      headers: { Authorization: "Bearer key-one-1111" },
    });
    const updated = await sdk.updateCredentials(saved.id, { api_key: "key-two-2222" });
    expect(updated).toMatchObject({ id: saved.id, version: 2, status: "active" });
    expect((await sdk.resolveConnection(saved.id)).headers).toEqual({ Authorization: "Bearer key-two-2222" });
    expect(await sdk.deleteConnection(saved.id)).toEqual({ deleted: true, revoked: false });
    expect((await failure(sdk.getConnection(saved.id))).code).toBe("integration_not_found");
    expect((await failure(sdk.resolveConnection(saved.id))).code).toBe("integration_not_found");
    expect(await sdk.deleteConnection(saved.id)).toEqual({ deleted: false, revoked: false });
    expect(events.filter((event) => event.name === "connection.deleted")).toEqual([
      { name: "connection.deleted", payload: { provider: "acme-key", integration_id: saved.id, account_id: "acct-1", revoked: false } },
    ]);
  });

  it("api-key: a custom header and no scheme, a key schema, and metadata.base_url overriding the provider's", async () => {
    const provider = defineApiKeyProvider({ id: "sentry-token", header: "X-Api-Key", scheme: null, baseUrl: "https://sentry.io", keySchema: (await import("zod")).z.string().startsWith("sntrys_") });
    const sdk = createSDK({ store: new MemoryStore(), providers: [provider], encryption: { keys: [KEY_1] } });
    expect((await failure(sdk.createConnection({ provider: "sentry-token", account_id: "a", created_by: "u", credentials: { api_key: "wrong_prefix" } }))).details.field).toBe("createConnection.credentials.api_key");
    const saved = await sdk.createConnection({ provider: "sentry-token", account_id: "a", created_by: "u", credentials: { api_key: "sntrys_abc" }, metadata: { base_url: "https://de.sentry.io" } });
    const runtime = await sdk.resolveConnection(saved.id);
    expect(runtime.headers).toEqual({ "X-Api-Key": "sntrys_abc" });
    expect(runtime.api_base_url).toBe("https://de.sentry.io");
  });

  it("basic: RFC 7617 header, update, delete", async () => {
    const { sdk } = sdkFixture();
    const saved = await sdk.createConnection({ provider: "acme-basic", account_id: "acct-1", created_by: "user-1", credentials: { username: "bot", password: "pw-one-1111" } });
    expect(saved.credential_fields).toEqual(["password", "username"]);
    expect((await sdk.resolveConnection(saved.id)).headers).toEqual({ Authorization: `Basic ${Buffer.from("bot:pw-one-1111").toString("base64")}` });
    await sdk.updateCredentials(saved.id, { username: "bot", password: "pw-two-2222" });
    const runtime = await sdk.resolveConnection(saved.id);
    expect(runtime).toMatchObject({ username: "bot", password: "pw-two-2222" });
    expect((await sdk.deleteConnection(saved.id)).deleted).toBe(true);
  });

  it("mapped credentials: the declared schema and map, update, delete", async () => {
    const { sdk } = sdkFixture({ apiBaseUrl: "https://api.acme.test" });
    const saved = await sdk.createConnection({ provider: "acme-mapped", account_id: "acct-1", created_by: "user-1", credentials: { key_id: "kid-1", key_secret: "secret-one-1111" } });
    expect(saved.natural_key).toBe("kid-1");
    const runtime = await sdk.resolveConnection(saved.id);
    expect(runtime).toMatchObject({ key_id: "kid-1", api_base_url: "https://api.acme.test", headers: { "X-Key-Id": "kid-1", "X-Key-Secret": "secret-one-1111" } });
    await sdk.updateCredentials(saved.id, { key_id: "kid-1", key_secret: "secret-two-2222" });
    expect((await sdk.resolveConnection(saved.id)).headers["X-Key-Secret"]).toBe("secret-two-2222");
    expect((await sdk.deleteConnection(saved.id)).deleted).toBe(true);
  });

  it("updateCredentials refuses OAuth connections (their credentials come from the install flow)", async () => {
    const { sdk, store } = sdkFixture();
    const saved = await sdk.createConnection({ provider: "fake-oauth", account_id: "a", created_by: "u", credentials: { refresh_token: "rt-1" }, metadata: { cloud_id: "c1" } });
    const before = JSON.stringify(await store.get(saved.id));
    expect((await failure(sdk.updateCredentials(saved.id, { refresh_token: "rt-2" }))).code).toBe("unsupported_operation");
    expect(JSON.stringify(await store.get(saved.id))).toBe(before);
  });

  it("install operations on a static provider are unsupported_operation; an unknown provider is provider_not_found", async () => {
    const { sdk } = sdkFixture();
    expect((await failure(sdk.buildInstallUrl({ provider: "acme-key", user_id: "u" }))).code).toBe("unsupported_operation");
    expect((await failure(sdk.handleInstallCallback({ provider: "acme-key", code: "c" }))).code).toBe("unsupported_operation");
    expect((await failure(sdk.completeSiteSelection({ selection_id: "acme-key.x1", cloud_id: "c" }))).code).toBe("unsupported_operation");
    const missing = await failure(sdk.createConnection({ provider: "nope", account_id: "a", created_by: "u", credentials: { api_key: "k-1234" } }));
    expect(missing.code).toBe("provider_not_found");
    expect(missing.details.field).toBe("createConnection.provider");
  });

  it("dispatches install calls to the provider and hands back an unpersisted integration", async () => {
    const { sdk, store } = sdkFixture();
    const install = await sdk.buildInstallUrl({ provider: "fake-oauth", user_id: "user-1", account_id: "acct-1" });
    expect(install.url).toContain("state=");
    const callback = await sdk.handleInstallCallback({ provider: "fake-oauth", code: "rt-from-code", state: install.state, browser_binding: install.browser_binding });
    expect(store.size).toBe(0);
    const saved = await sdk.createConnection(callback.integration);
    expect(saved.natural_key).toBe("cloud-callback");
    const selected = await sdk.completeSiteSelection({ selection_id: "fake-oauth.sel-1", cloud_id: "cloud-2" });
    expect(selected.integration.metadata).toEqual({ cloud_id: "cloud-2" });
  });
});

describe("createConnection upserts on the provider's natural key", () => {
  it("a re-install updates credentials in place, sets status active and emits connection.recovered once", async () => {
    const { sdk, store, events } = sdkFixture();
    const first = await sdk.createConnection({ provider: "acme-key", account_id: "acct-1", created_by: "user-1", credentials: { api_key: "key-old-1111" }, metadata: { org: "acme", region: "eu" } });
    expect(first.natural_key).toBe("acme");
    // The refresh engine marks a dead grant like this (compare-and-set through the store).
    await store.update(first.id, { status: "needs_reauth", updated_at: new Date().toISOString() }, { expectedVersion: 1 });
    expect((await failure(sdk.resolveConnection(first.id))).code).toBe("reauth_required");
    const again = await sdk.createConnection({ provider: "acme-key", account_id: "acct-1", created_by: "user-2", credentials: { api_key: "key-new-2222" }, metadata: { org: "acme" } });
    expect(again.id).toBe(first.id);
    expect(again.status).toBe("active");
    expect(again.version).toBe(3);
    expect(again.metadata).toEqual({ org: "acme", region: "eu" });
    expect((await sdk.resolveConnection(first.id)).api_key).toBe("key-new-2222");
    expect(await sdk.listConnections({ account_id: "acct-1" })).toHaveLength(1);
    expect(events.filter((event) => event.name === "connection.recovered")).toEqual([
      { name: "connection.recovered", payload: { provider: "acme-key", integration_id: first.id, account_id: "acct-1" } },
    ]);
    await sdk.createConnection({ provider: "acme-key", account_id: "acct-1", created_by: "user-2", credentials: { api_key: "key-new-3333" }, metadata: { org: "acme" } });
    expect(events.filter((event) => event.name === "connection.recovered")).toHaveLength(1);
  });

  it("the same key in another account, or no key at all, is a new integration", async () => {
    const { sdk } = sdkFixture();
    const draft = { provider: "acme-key", created_by: "u", credentials: { api_key: "k-1234" }, metadata: { org: "acme" } };
    const a = await sdk.createConnection({ ...draft, account_id: "acct-a" });
    const b = await sdk.createConnection({ ...draft, account_id: "acct-b" });
    expect(a.id).not.toBe(b.id);
    const keyless1 = await sdk.createConnection({ ...draft, account_id: "acct-a", metadata: {} });
    const keyless2 = await sdk.createConnection({ ...draft, account_id: "acct-a", metadata: {} });
    expect(new Set([a.id, keyless1.id, keyless2.id]).size).toBe(3);
  });

  it("concurrent installs of one key in one process make one record", async () => {
    const { sdk, store } = sdkFixture();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        sdk.createConnection({ provider: "fake-oauth", account_id: "acct-1", created_by: "u", credentials: { refresh_token: `rt-${index}` }, metadata: { cloud_id: "cloud-1" } }),
      ),
    );
    expect(new Set(results.map((result) => result.id)).size).toBe(1);
    expect(store.size).toBe(1);
    expect((await store.get(results[0]!.id))!.version).toBe(8);
  });

  it("a re-install of an OAuth connection drops its cached access token", async () => {
    const { sdk, cache, oauth } = sdkFixture();
    const saved = await sdk.createConnection({ provider: "fake-oauth", account_id: "acct-1", created_by: "u", credentials: { refresh_token: "rt-1" }, metadata: { cloud_id: "cloud-1" } });
    expect((await sdk.resolveConnection(saved.id)).access_token).toBe("fake-access-token-1");
    await sdk.createConnection({ provider: "fake-oauth", account_id: "acct-1", created_by: "u", credentials: { refresh_token: "rt-2" }, metadata: { cloud_id: "cloud-1" } });
    expect(await cache.get(accessTokenKey("fake-oauth", saved.id, "acct-1"))).toBeUndefined();
    expect((await sdk.resolveConnection(saved.id)).access_token).toBe("fake-access-token-2");
    expect(oauth.minted).toHaveLength(2);
  });

  it("when another process creates the same natural key first (the store refuses the create), the install updates that record", async () => {
    const memory = new MemoryStore();
    let raced = false;
    // Fault injection around the real MemoryStore: another process's create lands between our lookup and our create.
    const store = {
      get: memory.get.bind(memory),
      update: memory.update.bind(memory),
      delete: memory.delete.bind(memory),
      list: memory.list.bind(memory),
      create: async (record: Parameters<MemoryStore["create"]>[0]) => {
        if (!raced) {
          raced = true;
          await memory.create({ ...record, id: "created-elsewhere" });
          throw new SdkError("integration_exists", "natural key taken", { details: { conflict: "natural_key" } });
        }
        return memory.create(record);
      },
    };
    const sdk = createSDK({ store, encryption: { keys: [KEY_1] }, providers: [defineApiKeyProvider({ id: "keyed", naturalKey: ({ metadata }) => String(metadata.org) })] });
    const saved = await sdk.createConnection({ provider: "keyed", account_id: "a", created_by: "u", credentials: { api_key: "k-9999" }, metadata: { org: "acme" } });
    expect(saved.id).toBe("created-elsewhere");
    expect(saved.version).toBe(2);
    expect(memory.size).toBe(1);
  });

  it("a failing post-save step (caching the first token, syncing siblings) does not fail the stored connection", async () => {
    const lines: string[] = [];
    const logger = { debug() {}, info() {}, warn: (_fields: Record<string, unknown>, message: string) => lines.push(message), error() {} };
    const base = defineApiKeyProvider({ id: "post-save" });
    const provider = { ...base, prepareConnection: async (_context: unknown, draft: Parameters<NonNullable<typeof base.prepareConnection>>[1]) => ({ draft, afterSave: async () => Promise.reject(new SdkError("cache_unavailable", "cache down")) }) };
    const store = new MemoryStore();
    const sdk = createSDK({ store, logger, encryption: { keys: [KEY_1] }, providers: [provider] });
    const saved = await sdk.createConnection({ provider: "post-save", account_id: "a", created_by: "u", credentials: { api_key: "k-1111" } });
    expect(await store.get(saved.id)).toBeDefined();
    expect(lines).toContain("post-save step failed; the connection is stored");
  });

  it("related drafts of one install are stored first, each with the same upsert; a failing one stores nothing of the main draft", async () => {
    const base = defineApiKeyProvider({ id: "split", naturalKey: ({ metadata }) => String(metadata.key) });
    type Draft = Parameters<NonNullable<typeof base.prepareConnection>>[1];
    const provider = {
      ...base,
      prepareConnection: async (_context: unknown, draft: Draft) => {
        if (draft.metadata?.key !== "main") return { draft };
        const user = { ...draft, credentials: { api_key: `${String(draft.credentials.api_key)}-user` }, metadata: { key: `user:${String(draft.metadata.user)}` } };
        return { draft, related: [user] };
      },
    };
    const store = new MemoryStore();
    const sdk = createSDK({ store, encryption: { keys: [KEY_1] }, providers: [provider] });
    const install = (user: string, key: string) => sdk.createConnection({ provider: "split", account_id: "a", created_by: "u", credentials: { api_key: key }, metadata: { key: "main", user } });
    const main = await install("alice", "k-1111");
    await install("bob", "k-2222");
    const listed = await sdk.listConnections({ account_id: "a" });
    expect(listed.map((item) => item.natural_key)).toEqual(["user:alice", "main", "user:bob"]);
    expect(listed.find((item) => item.natural_key === "main")?.id).toBe(main.id);
    expect((await sdk.resolveConnection(listed[0]!.id)).headers).toEqual({ Authorization: "Bearer k-1111-user" });

    class UserRecordsFail extends MemoryStore {
      override async create(record: Parameters<MemoryStore["create"]>[0]) {
        if (record.natural_key?.startsWith("user:")) throw new Error("disk full");
        return super.create(record);
      }
    }
    const flakyStore = new UserRecordsFail();
    const failing = createSDK({ store: flakyStore, encryption: { keys: [KEY_1] }, providers: [provider] });
    expect((await failure(failing.createConnection({ provider: "split", account_id: "b", created_by: "u", credentials: { api_key: "k-3333" }, metadata: { key: "main", user: "carol" } }))).code).toBe("store_unavailable");
    expect(await flakyStore.list({ account_id: "b" })).toEqual([]);
  });

  it("a numeric natural key is stored as text, so the record stays readable and the upsert still matches", async () => {
    const provider = defineApiKeyProvider({ id: "numbered", naturalKey: ({ metadata }) => metadata.installation_id as unknown as string });
    const sdk = createSDK({ store: new MemoryStore(), providers: [provider], encryption: { keys: [KEY_1] } });
    const first = await sdk.createConnection({ provider: "numbered", account_id: "a", created_by: "u", credentials: { api_key: "k-1234" }, metadata: { installation_id: 4242 } });
    const again = await sdk.createConnection({ provider: "numbered", account_id: "a", created_by: "u", credentials: { api_key: "k-5678" }, metadata: { installation_id: 4242 } });
    expect(first.natural_key).toBe("4242");
    expect(again.id).toBe(first.id);
  });
});

describe("summaries never carry credentials", () => {
  it("getConnection and listConnections return field names only, filtered by provider and status", async () => {
    const { sdk, store } = sdkFixture();
    const key = await sdk.createConnection({ provider: "acme-key", account_id: "acct-1", created_by: "u", credentials: { api_key: "summary-secret-key" } });
    const basic = await sdk.createConnection({ provider: "acme-basic", account_id: "acct-1", created_by: "u", credentials: { username: "bot", password: "summary-secret-pw" } });
    await sdk.createConnection({ provider: "acme-key", account_id: "acct-2", created_by: "u", credentials: { api_key: "other-account-key" } });
    await store.update(basic.id, { status: "revoked", updated_at: new Date().toISOString() }, { expectedVersion: 1 });
    const one = await sdk.getConnection(key.id);
    const all = await sdk.listConnections({ account_id: "acct-1" });
    for (const summary of [one, ...all]) {
      expect(summary).not.toHaveProperty("credentials");
      expect(JSON.stringify(summary)).not.toMatch(/summary-secret|"ct":/);
    }
    expect(all.map((summary) => summary.id)).toEqual([key.id, basic.id]);
    expect((await sdk.listConnections({ account_id: "acct-1", provider: "acme-basic" })).map((summary) => summary.id)).toEqual([basic.id]);
    expect((await sdk.listConnections({ account_id: "acct-1", status: "revoked" })).map((summary) => summary.credential_fields)).toEqual([["password", "username"]]);
    expect((await failure(sdk.resolveConnection(basic.id))).code).toBe("integration_revoked");
  });
});

describe("statuses, invalidation and deletion", () => {
  it("updateCredentials brings a needs_reauth connection back to active and emits connection.recovered", async () => {
    const { sdk, store, events } = sdkFixture();
    const saved = await sdk.createConnection({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: "k-1234" } });
    await store.update(saved.id, { status: "needs_reauth", updated_at: new Date().toISOString() }, { expectedVersion: 1 });
    expect((await sdk.updateCredentials(saved.id, { api_key: "k-5678" })).status).toBe("active");
    expect(events.map((event) => event.name)).toEqual(["connection.recovered"]);
  });

  it("invalidateConnection drops the cached access token so the next resolve mints a new one", async () => {
    const { sdk, oauth } = sdkFixture();
    const saved = await sdk.createConnection({ provider: "fake-oauth", account_id: "a", created_by: "u", credentials: { refresh_token: "rt-1" }, metadata: { cloud_id: "c1" } });
    await sdk.resolveConnection(saved.id);
    expect((await sdk.resolveConnection(saved.id)).access_token).toBe("fake-access-token-1");
    await sdk.invalidateConnection(saved.id);
    expect((await sdk.resolveConnection(saved.id)).access_token).toBe("fake-access-token-2");
    expect(oauth.minted).toEqual(["fake-access-token-1", "fake-access-token-2"]);
    expect((await failure(sdk.invalidateConnection("missing-id"))).code).toBe("integration_not_found");
  });

  it("deleteConnection({ revoke: true }) revokes at the provider, drops the cache key and the record", async () => {
    const { sdk, cache, oauth, events } = sdkFixture();
    const saved = await sdk.createConnection({ provider: "fake-oauth", account_id: "a", created_by: "u", credentials: { refresh_token: "rt-1" }, metadata: { cloud_id: "c1" } });
    await sdk.resolveConnection(saved.id);
    expect(await sdk.deleteConnection(saved.id, { revoke: true })).toEqual({ deleted: true, revoked: true });
    expect(oauth.revoked).toEqual([saved.id]);
    expect(await cache.get(accessTokenKey("fake-oauth", saved.id, "a"))).toBeUndefined();
    expect(events.at(-1)).toEqual({ name: "connection.deleted", payload: { provider: "fake-oauth", integration_id: saved.id, account_id: "a", revoked: true } });
  });

  it("a record whose provider is no longer registered can still be deleted (not revoked)", async () => {
    const store = new MemoryStore();
    const before = createSDK({ store, providers: [defineApiKeyProvider({ id: "retired" })], encryption: { keys: [KEY_1] } });
    const saved = await before.createConnection({ provider: "retired", account_id: "a", created_by: "u", credentials: { api_key: "k-1234" } });
    const after = createSDK({ store, providers: [], encryption: { keys: [KEY_1] } });
    expect((await failure(after.resolveConnection(saved.id))).code).toBe("provider_not_found");
    expect((await failure(after.deleteConnection(saved.id, { revoke: true }))).code).toBe("provider_not_found");
    expect(await after.deleteConnection(saved.id)).toEqual({ deleted: true, revoked: false });
  });
});

describe("events", () => {
  it("a throwing handler, and an async one that rejects, break neither the call nor the process; the warning names no message", async () => {
    const { sdk, logger } = sdkFixture();
    const unhandled = vi.fn();
    process.on("unhandledRejection", unhandled);
    try {
      const seen: string[] = [];
      sdk.events.on("connection.deleted", () => {
        throw new Error("handler bug quoting handler-secret-1");
      });
      sdk.events.on("connection.deleted", async () => {
        throw new Error("async handler bug quoting handler-secret-2");
      });
      const unsubscribe = sdk.events.on("connection.deleted", (payload) => void seen.push(payload.integration_id));
      const saved = await sdk.createConnection({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: "k-1234" } });
      expect((await sdk.deleteConnection(saved.id)).deleted).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).toEqual([saved.id]);
      const warnings = logger.lines.filter((line) => line.message === "event handler threw");
      expect(warnings).toHaveLength(2);
      expect(JSON.stringify(warnings)).not.toContain("handler-secret");
      expect(warnings[0]!.fields).toEqual({ event: "connection.deleted", error_name: "Error" });
      unsubscribe();
      const other = await sdk.createConnection({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: "k-1234" } });
      await sdk.deleteConnection(other.id);
      expect(seen).toEqual([saved.id]);
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off("unhandledRejection", unhandled);
    }
  });

  it("a throwing logger never fails an SDK call", async () => {
    const explode = () => {
      throw new Error("log transport down");
    };
    const sdk = createSDK({ store: new MemoryStore(), providers: [defineApiKeyProvider({ id: "k" })], encryption: { keys: [KEY_1] }, logger: { debug: explode, info: explode, warn: explode, error: explode } });
    const saved = await sdk.createConnection({ provider: "k", account_id: "a", created_by: "u", credentials: { api_key: "k-1234" } });
    expect((await sdk.resolveConnection(saved.id)).api_key).toBe("k-1234");
  });
});

describe("outages map to retryable codes", () => {
  it("a failing store is store_unavailable (retryable) with the driver error as cause", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:27017"), { code: "ECONNREFUSED" });
    const sdk = createSDK({ store: failingStore(() => refused), providers: [defineApiKeyProvider({ id: "k" })], encryption: { keys: [KEY_1] } });
    const error = await failure(sdk.createConnection({ provider: "k", account_id: "a", created_by: "u", credentials: { api_key: "k-1234" } }));
    expect(error).toMatchObject({ code: "store_unavailable", retryable: true, details: { operation: "create" } });
    expect(error.cause).toBe(refused);
    expect((await failure(sdk.listConnections({ account_id: "a" })))).toMatchObject({ code: "store_unavailable", details: { operation: "list" } });
    expect((await failure(sdk.resolveConnection("some-id")))).toMatchObject({ code: "store_unavailable", details: { operation: "get" } });
  });

  it("a failing cache is cache_unavailable (retryable)", async () => {
    const sdk = createSDK({ store: new MemoryStore(), cache: failingCache(() => new Error("ETIMEDOUT")), state: { secrets: STATE_SECRETS }, encryption: { keys: [KEY_1] }, providers: [fakeOAuthProvider()] });
    const saved = await sdk.createConnection({ provider: "fake-oauth", account_id: "a", created_by: "u", credentials: { refresh_token: "rt-1" }, metadata: { cloud_id: "c" } });
    expect(await failure(sdk.resolveConnection(saved.id))).toMatchObject({ code: "cache_unavailable", retryable: true, details: { operation: "get" } });
  });
});
