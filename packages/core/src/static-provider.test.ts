// Static providers resolve from the stored credentials as they are: no second validation, so a field the runtime
// does not hand out is never decrypted (proved with a field whose ciphertext no key can open).
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { createSDK } from "./create-sdk.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import { defineMappedCredentialsProvider } from "./define-mapped-credentials-provider.js";
import type { Integration } from "./integration.js";
import { MemoryStore } from "./memory-store.js";
import { SdkError } from "./sdk-error.js";
import { KEY_1 } from "../test/sdk-fixture.js";

/** Rewrites one stored credential behind the SDK's back. */
async function plant(store: MemoryStore, id: string, field: string, value: unknown): Promise<void> {
  const record = (await store.get(id)) as Integration;
  await store.update(id, { credentials: { ...record.credentials, [field]: value }, updated_at: record.updated_at }, { expectedVersion: record.version });
}

describe("static providers on resolve", () => {
  it("a mapped provider decrypts only the fields its map reads", async () => {
    const store = new MemoryStore();
    const mapped = defineMappedCredentialsProvider({
      id: "mapped",
      baseUrl: "https://api.example.test",
      schema: z.object({ token: z.string(), signing_secret: z.string() }),
      map: (credentials) => ({ headers: { "X-Token": credentials.token } }),
    });
    const sdk = createSDK({ store, encryption: { keys: [KEY_1] }, providers: [mapped] });
    const { id } = await sdk.createConnection({ provider: "mapped", account_id: "acct-1", created_by: "user-1", credentials: { token: "tok-1", signing_secret: "sig-1" } });
    // An envelope under the right key id that fails authentication: reading it throws decryption_failed.
    const broken = { v: 2, kid: KEY_1.id, iv: "AAAAAAAAAAAAAAAA", tag: "AAAAAAAAAAAAAAAAAAAAAA", ct: "AAAA" };
    await plant(store, id, "signing_secret", broken);
    await expect(sdk.resolveConnection(id)).resolves.toMatchObject({ headers: { "X-Token": "tok-1" } });
    await plant(store, id, "token", broken);
    await expect(sdk.resolveConnection(id)).rejects.toSatisfy((error) => SdkError.is(error, "decryption_failed"));
  });

  it("an api-key record whose key is not a string fails with validation_failed naming the field", async () => {
    const store = new MemoryStore();
    // With requireEncrypted (the default) a plaintext 42 is refused before the provider sees it; the 1.x migration
    // switch lets plaintext through, and then the provider's own check names the field.
    const sdk = createSDK({ store, encryption: { keys: [KEY_1], requireEncrypted: false }, providers: [defineApiKeyProvider({ id: "keyed", baseUrl: "https://api.example.test" })] });
    const { id } = await sdk.createConnection({ provider: "keyed", account_id: "acct-1", created_by: "user-1", credentials: { api_key: "key-0001" } });
    await plant(store, id, "api_key", 42);
    const error = await sdk.resolveConnection(id).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "validation_failed")).toBe(true);
    expect((error as SdkError).details).toMatchObject({ field: "integration.credentials.api_key" });
  });
});
