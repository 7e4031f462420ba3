// sdk.describeCredentials on static providers: the key id of every sealed field through a key rotation, plaintext
// fields named as such, status and times from the record, no token chains, bad ids refused, and no credential value
// in the answer (planted secrets scanned for).
import { describe, expect, it } from "vitest";
import { createSDK } from "./create-sdk.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import { defineBasicProvider } from "./define-basic-provider.js";
import { MemoryStore } from "./memory-store.js";
import { SdkError } from "./sdk-error.js";
import { KEY_1, KEY_2 } from "../test/sdk-fixture.js";

const API_KEY = "sk_live_planted_api_key_55f1c0de";
const PASSWORD = "planted-password-9e1d";
const providers = [defineApiKeyProvider({ id: "acme", baseUrl: "https://api.acme.example" }), defineBasicProvider({ id: "acme-basic" })];

describe("sdk.describeCredentials", () => {
  it("names the key of every sealed field, follows a key rotation, and holds no credential value", async () => {
    const store = new MemoryStore();
    const before = createSDK({ store, encryption: { keys: [KEY_1] }, providers });
    const keyed = await before.createConnection({ provider: "acme", account_id: "acct-1", created_by: "user-1", credentials: { api_key: API_KEY } });
    const basic = await before.createConnection({ provider: "acme-basic", account_id: "acct-1", created_by: "user-1", credentials: { username: "ops", password: PASSWORD } });

    const described = await before.describeCredentials(keyed.id);
    expect(described).toEqual({
      integration_id: keyed.id,
      provider: "acme",
      account_id: "acct-1",
      auth_type: "api_key",
      status: "active",
      scopes: [],
      created_at: keyed.created_at,
      updated_at: keyed.updated_at,
      version: keyed.version,
      encryption: { primary_key_id: "k1", key_ids: ["k1"], needs_reencryption: false, fields: [{ field: "api_key", encrypted: true, key_id: "k1", key_available: true }] },
      chains: [],
    });

    // A new primary key: old records are still under k1 until re-encrypted, and the answer says so.
    const after = createSDK({ store, encryption: { keys: [KEY_2, KEY_1] }, providers });
    expect((await after.describeCredentials(basic.id)).encryption).toEqual({
      primary_key_id: "k2",
      key_ids: ["k1"],
      needs_reencryption: true,
      fields: [
        { field: "password", encrypted: true, key_id: "k1", key_available: true },
        { field: "username", encrypted: true, key_id: "k1", key_available: true },
      ],
    });
    // With k1 gone (before the re-encryption) from the ring the fields of a record still under it are named as unreadable, still without a value.
    const onlyNew = createSDK({ store, encryption: { keys: [KEY_2] }, providers });
    expect((await onlyNew.describeCredentials(keyed.id)).encryption.fields).toEqual([{ field: "api_key", encrypted: true, key_id: "k1", key_available: false }]);

    await after.reencryptConnections();
    const rotated = await after.describeCredentials(basic.id);
    expect(rotated.encryption).toMatchObject({ key_ids: ["k2"], needs_reencryption: false });
    expect(rotated.version).toBeGreaterThan(basic.version);

    for (const answer of [described, rotated, await after.describeCredentials(keyed.id)]) {
      const text = JSON.stringify(answer);
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('"ct"');
    }
  });

  it("names plaintext fields (encryption: { plaintext: true }) without their values", async () => {
    const sdk = createSDK({ store: new MemoryStore(), encryption: { plaintext: true }, providers });
    const saved = await sdk.createConnection({ provider: "acme", account_id: "acct-1", created_by: "user-1", credentials: { api_key: API_KEY } });
    const described = await sdk.describeCredentials(saved.id);
    expect(described.encryption).toEqual({ primary_key_id: null, key_ids: [], needs_reencryption: false, fields: [{ field: "api_key", encrypted: false, key_id: null, key_available: false }] });
    expect(JSON.stringify(described)).not.toContain(API_KEY);
  });

  it("refuses a bad id with validation_failed and an unknown one with integration_not_found", async () => {
    const sdk = createSDK({ store: new MemoryStore(), encryption: { keys: [KEY_1] }, providers });
    const bad = await sdk.describeCredentials("../etc" as string).catch((error: unknown) => error);
    expect(SdkError.is(bad, "validation_failed") && bad.details.field).toBe("describeCredentials.id");
    const missing = await sdk.describeCredentials("nope").catch((error: unknown) => error);
    expect(SdkError.is(missing, "integration_not_found")).toBe(true);
  });
});
