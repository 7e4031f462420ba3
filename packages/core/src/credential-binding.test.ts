// Record envelopes (v2) are bound to the whole record: provider, account_id, id, field and routing metadata. Someone
// with write access to the store cannot move a credential to another tenant, redirect it, or plant a plaintext one.
// Envelopes of the previous format (v1: id + field) still read and are re-sealed on resolve.
import { describe, expect, it } from "vitest";
import { CredentialCipher, ROUTING_METADATA } from "./credential-cipher.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import type { Integration } from "./integration.js";
import { failure } from "../test/failure.js";
import { KEY_1, sdkFixture } from "../test/sdk-fixture.js";

const API = "https://api.acme.test";

async function rewrite(store: ReturnType<typeof sdkFixture>["store"], id: string, change: (record: Integration) => Partial<Integration>) {
  // The store's contract has no way to change account_id or provider: an attacker with write access replaces the record.
  const record = (await store.get(id))!;
  await store.delete(id);
  await store.create({ ...record, ...change(record) });
}

describe("record envelopes are bound to their record", () => {
  it("rewriting account_id (moving a secret to another tenant) fails with decryption_failed", async () => {
    const { sdk, store } = sdkFixture({ apiBaseUrl: API });
    const saved = await sdk.createConnection({ provider: "acme-key", account_id: "tenant-a", created_by: "u", credentials: { api_key: "tenant-a-key-1111" } });
    await rewrite(store, saved.id, () => ({ account_id: "tenant-b" }));
    expect(await sdk.listConnections({ account_id: "tenant-b" })).toHaveLength(1);
    const error = await failure(sdk.resolveConnection(saved.id));
    expect(error).toMatchObject({ code: "decryption_failed", details: { integration_id: saved.id, field: "api_key", kid: "k1" } });
    expect(error.message).not.toContain("tenant-a-key-1111");
  });

  it("rewriting provider fails with decryption_failed", async () => {
    const { sdk, store } = sdkFixture({ providers: [defineApiKeyProvider({ id: "acme-key", baseUrl: API }), defineApiKeyProvider({ id: "other-key", baseUrl: API })] });
    const saved = await sdk.createConnection({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: "provider-bound-1111" } });
    await rewrite(store, saved.id, () => ({ provider: "other-key" }));
    expect((await failure(sdk.resolveConnection(saved.id))).code).toBe("decryption_failed");
  });

  it("rewriting metadata.base_url (redirecting the api key) fails with decryption_failed; other metadata is not bound", async () => {
    const { sdk, store } = sdkFixture({ apiBaseUrl: API });
    const saved = await sdk.createConnection({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: "redirect-me-1111" }, metadata: { base_url: "https://eu.acme.test", label: "prod" } });
    const raw = (await store.get(saved.id))!;
    await store.update(saved.id, { metadata: { ...raw.metadata, label: "renamed" }, updated_at: raw.updated_at }, { expectedVersion: raw.version });
    expect((await sdk.resolveConnection(saved.id)).api_key).toBe("redirect-me-1111");
    const now = (await store.get(saved.id))!;
    await store.update(saved.id, { metadata: { ...now.metadata, base_url: "https://attacker.example" }, updated_at: now.updated_at }, { expectedVersion: now.version });
    expect((await failure(sdk.resolveConnection(saved.id))).code).toBe("decryption_failed");
    expect(ROUTING_METADATA).toContain("base_url");
  });

  it("a metadata change made through the SDK (a re-install) re-seals the credentials under the new binding", async () => {
    const { sdk, store } = sdkFixture({ apiBaseUrl: API });
    const first = await sdk.createConnection({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: "reinstall-1111" }, metadata: { org: "acme", base_url: "https://eu.acme.test" } });
    const again = await sdk.createConnection({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: "reinstall-2222" }, metadata: { org: "acme", base_url: "https://us.acme.test" } });
    expect(again.id).toBe(first.id);
    expect(await sdk.resolveConnection(first.id)).toMatchObject({ api_key: "reinstall-2222", api_base_url: "https://us.acme.test" });
    expect((await store.get(first.id))!.credentials.api_key).toMatchObject({ v: 2 });
  });
});

describe("requireEncrypted (default on with keys)", () => {
  it("refuses a plaintext credential planted where an envelope belongs, and writes nothing", async () => {
    const { sdk, store } = sdkFixture({ apiBaseUrl: API });
    const saved = await sdk.createConnection({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: "genuine-key-1111" } });
    const raw = (await store.get(saved.id))!;
    await store.update(saved.id, { credentials: { api_key: "planted-key-9999" }, updated_at: raw.updated_at }, { expectedVersion: raw.version });
    const before = JSON.stringify(await store.get(saved.id));
    const error = await failure(sdk.resolveConnection(saved.id));
    expect(error).toMatchObject({ code: "decryption_failed", details: { integration_id: saved.id, field: "api_key", reason: "plaintext" } });
    expect(error.message).toContain("requireEncrypted: false");
    expect(error.message).not.toContain("planted-key-9999");
    // Not "upgraded" into a genuine envelope either.
    expect(JSON.stringify(await store.get(saved.id))).toBe(before);
  });

  it("the migration switch requireEncrypted: false reads 1.x plaintext and seals it", async () => {
    const { sdk, store } = sdkFixture({ apiBaseUrl: API, extra: { encryption: { keys: [KEY_1], requireEncrypted: false } } });
    await store.create({ id: "legacy-9", provider: "acme-key", account_id: "a", credentials: { api_key: "legacy-key-1111" } } as unknown as Integration);
    expect((await sdk.resolveConnection("legacy-9")).api_key).toBe("legacy-key-1111");
    expect((await store.get("legacy-9"))!.credentials.api_key).toMatchObject({ v: 2, kid: "k1" });
  });
});

describe("envelopes of the previous format (v1: record id + field)", () => {
  it("still read, and resolve re-seals them bound to the record", async () => {
    const { sdk, store } = sdkFixture({ apiBaseUrl: API });
    const v1 = new CredentialCipher([KEY_1]).encrypt("rec-v1", "api_key", "v1-key-1111");
    expect(v1).toMatchObject({ v: 1 });
    await store.create({ id: "rec-v1", provider: "acme-key", account_id: "a", created_by: "u", auth_type: "api_key", status: "active", scopes: [], metadata: {}, natural_key: null, credentials: { api_key: v1 }, version: 1, created_at: "2026-01-01T00:00:00.000Z", updated_at: "2026-01-01T00:00:00.000Z" } as Integration);
    expect((await sdk.resolveConnection("rec-v1")).api_key).toBe("v1-key-1111");
    const sealed = (await store.get("rec-v1"))!;
    expect(sealed.credentials.api_key).toMatchObject({ v: 2, kid: "k1" });
    expect(sealed.version).toBe(2);
  });

  it("a v2 envelope cannot be opened with a bare context string (a cache key name)", () => {
    const cipher = new CredentialCipher([KEY_1]);
    const bound = cipher.encrypt({ id: "r", provider: "p", account_id: "a" }, "f", "x");
    expect(() => cipher.decrypt("r", "f", bound)).toThrow(expect.objectContaining({ code: "decryption_failed" }));
  });
});

describe("a stored base_url is re-validated against the provider's configuration at resolve time", () => {
  const sealedRecord = (baseUrl: string): Integration => {
    const binding = { id: "rec-url", provider: "acme-key", account_id: "a", metadata: { base_url: baseUrl } };
    return {
      ...binding,
      created_by: "u",
      auth_type: "api_key",
      status: "active",
      scopes: [],
      natural_key: null,
      credentials: { api_key: new CredentialCipher([KEY_1]).encrypt(binding, "api_key", "routed-key-1111") },
      version: 1,
      created_at: "2026-01-01T00:00:00.000Z",
      updated_at: "2026-01-01T00:00:00.000Z",
    };
  };

  it("a base_url outside the provider's allowedOrigins is refused, even in a genuinely sealed record", async () => {
    const { sdk, store } = sdkFixture({ providers: [defineApiKeyProvider({ id: "acme-key", baseUrl: API, allowedOrigins: [API, "https://eu.acme.test"] })] });
    await store.create(sealedRecord("https://collector.example/api"));
    const error = await failure(sdk.resolveConnection("rec-url"));
    expect(error).toMatchObject({ code: "validation_failed", details: { field: "integration.metadata.base_url" } });
    expect(await failure(sdk.createConnection({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: "k-1111" }, metadata: { base_url: "https://collector.example" } }))).toMatchObject({
      code: "validation_failed",
      details: { field: "createConnection.metadata.base_url" },
    });
    const eu = await sdk.createConnection({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: "k-2222" }, metadata: { base_url: "https://eu.acme.test/v2" } });
    expect((await sdk.resolveConnection(eu.id)).api_base_url).toBe("https://eu.acme.test/v2");
  });

  it("a stored base_url that is not an http(s) URL is refused", async () => {
    const { sdk, store } = sdkFixture({ providers: [defineApiKeyProvider({ id: "acme-key", baseUrl: API })] });
    await store.create(sealedRecord("file:///etc/passwd"));
    expect(await failure(sdk.resolveConnection("rec-url"))).toMatchObject({ code: "validation_failed", details: { field: "integration.metadata.base_url" } });
  });
});
