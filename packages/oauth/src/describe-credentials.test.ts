// sdk.describeCredentials on an OAuth connection, against the fake RFC 6749 server: the refresh-token generation changes
// with each rotation and names the token the record holds, a rotation the provider made but the store has not saved
// yet shows as pending until it is written, the access token's expiry and time of issue come from the cache, and no
// token (nor anything planted) appears in any answer.
import { MemoryStore, SdkError, type PersistentStore } from "@sdk/core";
import { CredentialCipher } from "@sdk/core/provider-kit";
import { afterEach, describe, expect, it } from "vitest";
import { ENCRYPTION, startHarness, type Harness } from "../test/harness.js";
import { refreshTokenGeneration } from "./describe-oauth-credentials.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function storedRefreshToken(store: PersistentStore, id: string): Promise<string> {
  const record = await store.get(id);
  return new CredentialCipher(ENCRYPTION.keys).decrypt(record!, "refresh_token", record!.credentials.refresh_token) as string;
}

/** MemoryStore whose `update` fails as a down store would while `down` is set; reads keep working. */
function storeWithFailingWrites() {
  const switch_ = { down: false };
  const store = new MemoryStore();
  const update = store.update.bind(store);
  store.update = (...args: Parameters<MemoryStore["update"]>) =>
    switch_.down ? Promise.reject(new SdkError("store_unavailable", "test outage", { retryable: true, details: { operation: "update" } })) : update(...args);
  return { store, switch_ };
}

describe("sdk.describeCredentials (OAuth)", () => {
  it("follows the refresh-token generation through a rotation and reports the cached access token, without any token", async () => {
    const h = (harness = await startHarness({ server: { accessTokenTtlSeconds: 3600 } }));
    const installedAt = h.clock.now();
    const { integrationId } = await h.install();
    const first = await h.sdk.describeCredentials(integrationId);
    const firstToken = await storedRefreshToken(h.store, integrationId);
    expect(first).toMatchObject({ integration_id: integrationId, provider: "acme", auth_type: "oauth2", status: "active", scopes: ["read", "write"] });
    expect(first.encryption).toMatchObject({ primary_key_id: "k1", key_ids: ["k1"], needs_reencryption: false });
    expect(first.encryption.fields.map((field) => field.field)).toContain("refresh_token");
    expect(first.chains).toEqual([
      {
        chain: "",
        refresh_token: { present: true, generation: refreshTokenGeneration(firstToken), rotation_pending: false },
        access_token: { stored_in: "cache", expires_at: new Date(installedAt + 3600_000).toISOString(), obtained_at: new Date(installedAt).toISOString(), scopes: ["read", "write"] },
      },
    ]);

    h.clock.advance(3600_000);
    const runtime = await h.sdk.resolveConnection(integrationId);
    const second = await h.sdk.describeCredentials(integrationId);
    const secondToken = await storedRefreshToken(h.store, integrationId);
    expect(h.server.refreshTokenState(firstToken)).toBe("rotated");
    expect(second.chains[0]!.refresh_token).toEqual({ present: true, generation: refreshTokenGeneration(secondToken), rotation_pending: false });
    expect(second.chains[0]!.refresh_token.generation).not.toBe(first.chains[0]!.refresh_token.generation);
    expect(second.chains[0]!.access_token.obtained_at).toBe(new Date(h.clock.now()).toISOString());
    expect(second.updated_at > first.updated_at).toBe(true);

    const text = JSON.stringify([first, second]);
    for (const secret of [firstToken, secondToken, String(runtime.access_token), h.server.clientSecret]) expect(text).not.toContain(secret);
  });

  it("shows a rotation the provider made but the store has not saved as pending, until the holder writes it", async () => {
    const { store, switch_ } = storeWithFailingWrites();
    const h = (harness = await startHarness({ store, provider: { lockLeaseMs: 4000 } }));
    const { integrationId } = await h.install();
    const before = await storedRefreshToken(store, integrationId);

    h.clock.advance(3600_000);
    switch_.down = true;
    const failed = await h.sdk.resolveConnection(integrationId).catch((error: unknown) => error);
    expect(SdkError.is(failed, "store_unavailable")).toBe(true);
    // The provider has rotated `before` away; the journal holds the new token; the record still holds `before`.
    expect(h.server.refreshTokenState(before)).toBe("rotated");
    const pending = await h.sdk.describeCredentials(integrationId);
    expect(pending.chains[0]!.refresh_token).toEqual({ present: true, generation: refreshTokenGeneration(before), rotation_pending: true });

    switch_.down = false;
    let saved = pending;
    for (let waited = 0; waited < 5000 && saved.chains[0]!.refresh_token.rotation_pending; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      saved = await h.sdk.describeCredentials(integrationId);
    }
    const after = await storedRefreshToken(store, integrationId);
    expect(after).not.toBe(before);
    expect(saved.chains[0]!.refresh_token).toEqual({ present: true, generation: refreshTokenGeneration(after), rotation_pending: false });
    expect(JSON.stringify([pending, saved])).not.toContain(after);
  });
});
