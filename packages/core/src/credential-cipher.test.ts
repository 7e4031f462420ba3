// Credential encryption at rest, observed in the store itself: envelopes instead of values, bound to their record
// and field, readable through a rotated key ring, and 1.x plaintext records upgraded on their next resolve.
import { describe, expect, it } from "vitest";
import { createSDK } from "./create-sdk.js";
import { CredentialCipher, isEnvelope } from "./credential-cipher.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import type { Integration } from "./integration.js";
import { MemoryStore } from "./memory-store.js";
import { KEY_1, KEY_2, sdkFixture } from "../test/sdk-fixture.js";
import { failure } from "../test/failure.js";

/** Writes a record straight into the store, the way a 1.x service or a test of the raw form would. */
async function putRaw(store: MemoryStore, record: Record<string, unknown>): Promise<void> {
  await store.create(record as unknown as Integration);
}

describe("CredentialCipher", () => {
  it("round-trips any JSON value, with a fresh IV each time, in a { v, kid, iv, tag, ct } envelope", () => {
    const cipher = new CredentialCipher([KEY_1]);
    const value = { nested: ["a", 1, true, null], text: "ключ ✓" };
    const first = cipher.encrypt("rec-1", "field", value);
    const second = cipher.encrypt("rec-1", "field", value);
    expect(isEnvelope(first)).toBe(true);
    expect(Object.keys(first as object).sort()).toEqual(["ct", "iv", "kid", "tag", "v"]);
    expect(first).toMatchObject({ v: 1, kid: "k1" });
    expect(Buffer.from((first as { iv: string }).iv, "base64url")).toHaveLength(12);
    expect((first as { ct: string }).ct).not.toBe((second as { ct: string }).ct);
    expect(cipher.decrypt("rec-1", "field", first)).toEqual(value);
  });

  it("without keys it is disabled and passes values through", () => {
    const cipher = new CredentialCipher([]);
    expect(cipher.enabled).toBe(false);
    expect(cipher.encrypt("r", "f", "plain")).toBe("plain");
    expect(cipher.needsUpgrade({ f: "plain" })).toBe(false);
  });
});

describe("encryption at rest through the SDK", () => {
  it("every credential field is ciphertext in the store; metadata and ids are not encrypted", async () => {
    const { sdk, store } = sdkFixture();
    const saved = await sdk.createConnection({ provider: "acme-basic", account_id: "acct-1", created_by: "u", credentials: { username: "bot-user", password: "at-rest-password-1" }, metadata: { region: "eu" } });
    const raw = (await store.get(saved.id))!;
    expect(Object.keys(raw.credentials).sort()).toEqual(["password", "username"]);
    for (const value of Object.values(raw.credentials)) expect(value).toMatchObject({ v: 2, kid: "k1" });
    expect(JSON.stringify(raw)).not.toContain("at-rest-password-1");
    expect(JSON.stringify(raw)).not.toContain("bot-user");
    expect(raw.metadata).toEqual({ region: "eu" });
    expect((await sdk.resolveConnection(saved.id)).password).toBe("at-rest-password-1");
  });

  it("an envelope moved to another record fails with decryption_failed", async () => {
    const { sdk, store } = sdkFixture();
    const victim = await sdk.createConnection({ provider: "acme-key", account_id: "acct-victim", created_by: "u", credentials: { api_key: "victim-key-1111" } });
    const attacker = await sdk.createConnection({ provider: "acme-key", account_id: "acct-attacker", created_by: "u", credentials: { api_key: "attacker-key-2222" } });
    const stolen = (await store.get(victim.id))!.credentials.api_key;
    await store.update(attacker.id, { credentials: { api_key: stolen }, updated_at: new Date().toISOString() }, { expectedVersion: 1 });
    const error = await failure(sdk.resolveConnection(attacker.id));
    expect(error.code).toBe("decryption_failed");
    expect(error.details).toMatchObject({ integration_id: attacker.id, field: "api_key", kid: "k1" });
    expect(error.retryable).toBe(false);
  });

  it("an envelope moved to another field of the same record fails with decryption_failed", async () => {
    const { sdk, store } = sdkFixture();
    const saved = await sdk.createConnection({ provider: "acme-mapped", account_id: "a", created_by: "u", credentials: { key_id: "kid-1", key_secret: "swap-secret-1111" } });
    const { key_id, key_secret } = (await store.get(saved.id))!.credentials;
    await store.update(saved.id, { credentials: { key_id: key_secret, key_secret: key_id }, updated_at: new Date().toISOString() }, { expectedVersion: 1 });
    expect((await failure(sdk.resolveConnection(saved.id))).code).toBe("decryption_failed");
  });

  it("a tampered ciphertext or an unknown key id fails with decryption_failed, naming the key id only", async () => {
    const { sdk, store } = sdkFixture();
    const saved = await sdk.createConnection({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: "tamper-key-1111" } });
    const envelope = (await store.get(saved.id))!.credentials.api_key as { ct: string };
    const flipped = Buffer.from(envelope.ct, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    await store.update(saved.id, { credentials: { api_key: { ...envelope, ct: flipped.toString("base64url") } }, updated_at: new Date().toISOString() }, { expectedVersion: 1 });
    expect((await failure(sdk.resolveConnection(saved.id))).code).toBe("decryption_failed");
    await store.update(saved.id, { credentials: { api_key: { ...envelope, kid: "retired" } }, updated_at: new Date().toISOString() }, { expectedVersion: 2 });
    const unknown = await failure(sdk.resolveConnection(saved.id));
    expect(unknown.code).toBe("decryption_failed");
    expect(unknown.details.kid).toBe("retired");
    // A summary needs no key: the connection can still be listed and inspected.
    expect((await sdk.getConnection(saved.id)).credential_fields).toEqual(["api_key"]);
    expect(await sdk.listConnections({ account_id: "a" })).toHaveLength(1);
  });

  it("a rotated key ring (new key first, old second) reads old records and resolveConnection rewrites them under the new key", async () => {
    const store = new MemoryStore();
    const before = sdkFixture({ store, keys: [KEY_1] });
    const saved = await before.sdk.createConnection({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: "rotating-key-1111" } });
    expect((await store.get(saved.id))!.credentials.api_key).toMatchObject({ kid: "k1" });

    const rotated = sdkFixture({ store, keys: [KEY_2, KEY_1] });
    expect(await rotated.sdk.getConnection(saved.id)).toMatchObject({ version: 1 });
    expect((await rotated.sdk.resolveConnection(saved.id)).api_key).toBe("rotating-key-1111");
    const raw = (await store.get(saved.id))!;
    expect(raw.credentials.api_key).toMatchObject({ v: 2, kid: "k2" });
    expect(raw.version).toBe(2);
    expect(rotated.logger.lines.map((line) => line.message)).toContain("credentials re-encrypted with the primary key");

    // Once every record is rewritten the old key can go.
    const retired = sdkFixture({ store, keys: [KEY_2] });
    expect((await retired.sdk.resolveConnection(saved.id)).api_key).toBe("rotating-key-1111");
    expect((await store.get(saved.id))!.version).toBe(2);
  });

  it("a 1.x plaintext record (no version, no status, no metadata) reads with requireEncrypted: false, and is rewritten encrypted on resolve", async () => {
    const { sdk, store } = sdkFixture({ extra: { encryption: { keys: [KEY_1], requireEncrypted: false } } });
    await putRaw(store, { id: "legacy-1", provider: "acme-key", account_id: "acct-legacy", created_by: "user-1", auth_type: "api_key", credentials: { api_key: "legacy-plain-key" } });
    expect(await sdk.listConnections({ account_id: "acct-legacy" })).toMatchObject([{ id: "legacy-1", status: "active", version: 0, credential_fields: ["api_key"] }]);
    const runtime = await sdk.resolveConnection("legacy-1");
    expect(runtime.headers).toEqual({ Authorization: "Bearer legacy-plain-key" });
    const raw = (await store.get("legacy-1"))!;
    expect(raw.credentials.api_key).toMatchObject({ v: 2, kid: "k1" });
    expect(JSON.stringify(raw)).not.toContain("legacy-plain-key");
    expect(raw.version).toBe(1);
    expect((await sdk.resolveConnection("legacy-1")).api_key).toBe("legacy-plain-key");
    expect((await store.get("legacy-1"))!.version).toBe(1);
  });

  it("concurrent resolves of a 1.x record upgrade it once and all succeed", async () => {
    const { sdk, store } = sdkFixture({ extra: { encryption: { keys: [KEY_1], requireEncrypted: false } } });
    await putRaw(store, { id: "legacy-2", provider: "acme-key", account_id: "a", auth_type: "api_key", credentials: { api_key: "legacy-race-key" } });
    const runtimes = await Promise.all(Array.from({ length: 5 }, () => sdk.resolveConnection("legacy-2")));
    expect(runtimes.every((runtime) => runtime.api_key === "legacy-race-key")).toBe(true);
    expect((await store.get("legacy-2"))!.version).toBe(1);
  });

  it("with the plaintext opt-in: plaintext at rest, and the records upgrade once keys are configured", async () => {
    const store = new MemoryStore();
    const plain = createSDK({ store, providers: [defineApiKeyProvider({ id: "k" })], encryption: { plaintext: true } });
    const saved = await plain.createConnection({ provider: "k", account_id: "a", created_by: "u", credentials: { api_key: "plain-mode-key" } });
    expect((await store.get(saved.id))!.credentials.api_key).toBe("plain-mode-key");
    const keyed = createSDK({ store, providers: [defineApiKeyProvider({ id: "k" })], encryption: { keys: [KEY_1], requireEncrypted: false } });
    expect((await keyed.resolveConnection(saved.id)).api_key).toBe("plain-mode-key");
    expect((await store.get(saved.id))!.credentials.api_key).toMatchObject({ kid: "k1" });
  });
});

describe("openFields: envelopes are decrypted when first read", () => {
  it("decrypts a field on first read only, keeps plaintext fields as they are, and reports a tampered field when it is read", () => {
    const cipher = new CredentialCipher([KEY_1]);
    const sealed = cipher.encryptFields("int-1", { refresh_token: "rt-secret", api_key: "key-secret" }) as Record<string, { ct: string }>;
    const tampered = { ...sealed, api_key: { ...sealed.api_key, ct: `${sealed.api_key!.ct.slice(0, -2)}AA` }, legacy: "plain" };
    const opened = cipher.openFields("int-1", tampered);
    // Opening never decrypts: a damaged field costs nothing until someone reads it.
    expect(Object.keys(opened).sort()).toEqual(["api_key", "legacy", "refresh_token"]);
    expect(Object.hasOwn(opened, "refresh_token")).toBe(true);
    expect(opened.legacy).toBe("plain");
    expect(opened.refresh_token).toBe("rt-secret");
    expect(Object.getOwnPropertyDescriptor(opened, "refresh_token")!.value).toBe("rt-secret");
    expect(() => opened.api_key).toThrow(expect.objectContaining({ code: "decryption_failed" }));
    opened.api_key = "replaced";
    expect({ ...opened }).toEqual({ refresh_token: "rt-secret", api_key: "replaced", legacy: "plain" });
  });
});
