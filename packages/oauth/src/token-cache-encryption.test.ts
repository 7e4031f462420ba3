// Access tokens in the cache are sealed by default once encryption keys are set (AAD = the cache key name): a cache
// reader learns nothing, a planted or moved value reads as a miss and is replaced by a refresh. `accessTokenCache:
// "plaintext"` keeps the 1.x JSON for gateways that read those keys directly.
import { createSDK } from "@sdk/core";
import { accessTokenKey, CredentialCipher, isEnvelope } from "@sdk/core/provider-kit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tokenCodec } from "./token-cache.js";
import { ENCRYPTION, startHarness, type Harness } from "../test/harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("access tokens in the cache", () => {
  it("are an envelope bound to the key name by default: no token in the raw value", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await h.install();
    const runtime = await h.sdk.resolveConnection(integrationId);
    const raw = (await h.cache.get(accessTokenKey("acme", integrationId, "acct-1")))!;
    expect(raw).not.toContain(runtime.access_token as string);
    expect(isEnvelope(JSON.parse(raw))).toBe(true);
    expect(h.server.stats.refreshes).toBe(0);
  });

  it("a value planted or moved from another key reads as a miss: the SDK refreshes instead of using it", async () => {
    const h = (harness = await startHarness());
    const victim = await h.install({ user: "user-1", account_id: "acct-1" });
    const other = await h.install({ user: "user-2", account_id: "acct-2" });
    const victimKey = accessTokenKey("acme", victim.integrationId, "acct-1");
    const otherKey = accessTokenKey("acme", other.integrationId, "acct-2");
    // Moved: the other account's sealed value under the victim's key.
    await h.cache.set(victimKey, (await h.cache.get(otherKey))!, 60_000);
    const moved = await h.sdk.resolveConnection(victim.integrationId);
    expect(h.server.stats.refreshes).toBe(1);
    // Planted: 1.x-style plaintext JSON with a token of the attacker's choosing.
    await h.cache.set(victimKey, JSON.stringify({ access_token: "planted-token", token_type: "Bearer", expires_at: h.clock.now() + 3_600_000, scopes: [] }), 60_000);
    const planted = await h.sdk.resolveConnection(victim.integrationId);
    expect(planted.access_token).not.toBe("planted-token");
    expect(moved.access_token).not.toBe((await h.sdk.resolveConnection(other.integrationId)).access_token);
    expect(h.server.stats.refreshes).toBe(2);
  });

  it("accessTokenCache: \"plaintext\" keeps the 1.x JSON that gateways read", async () => {
    const h = (harness = await startHarness());
    const plain = createSDK({ store: h.store, cache: h.cache, now: h.clock.now, state: { secrets: [{ id: "s1", secret: "state-secret-0123456789-abcdefghijklmnop" }] }, encryption: { ...ENCRYPTION, accessTokenCache: "plaintext" as const }, providers: [h.provider] });
    const { integrationId } = await h.install();
    await h.cache.delete(accessTokenKey("acme", integrationId, "acct-1"));
    const runtime = await plain.resolveConnection(integrationId);
    const raw = JSON.parse((await h.cache.get(accessTokenKey("acme", integrationId, "acct-1")))!) as { access_token: string };
    expect(raw.access_token).toBe(runtime.access_token);
  });

  it("one sealed value is opened once per key; a changed, moved or tampered value is opened afresh (or not at all)", () => {
    const cipher = new CredentialCipher(ENCRYPTION.keys);
    const codec = tokenCodec({ cipher, accessTokenCache: "encrypted" });
    const decrypt = vi.spyOn(cipher, "decrypt");
    const key = accessTokenKey("acme", "memo-1", "acct-1");
    const token = { access_token: "at-memo-1", token_type: "Bearer", expires_at: 2_000_000_000_000, scopes: ["read"] };
    const sealed = codec.encode(key, token);
    const first = codec.decode(key, sealed)!;
    // What a caller does with its copy never reaches the next reader.
    first.scopes.push("write");
    first.access_token = "changed";
    expect(codec.decode(key, sealed)).toEqual(token);
    expect(codec.decode(key, sealed)).toEqual(token);
    expect(decrypt).toHaveBeenCalledTimes(1);
    const refreshed = codec.encode(key, { ...token, access_token: "at-memo-2" });
    expect(codec.decode(key, refreshed)?.access_token).toBe("at-memo-2");
    expect(decrypt).toHaveBeenCalledTimes(2);
    // Moved under another key: opened there (and refused by its additional data), never served from this key's memory.
    expect(codec.decode(accessTokenKey("acme", "memo-2", "acct-1"), refreshed)).toBeUndefined();
    const envelope = JSON.parse(refreshed) as { tag: string };
    const tampered = JSON.stringify({ ...envelope, tag: `${envelope.tag.startsWith("A") ? "B" : "A"}${envelope.tag.slice(1)}` });
    expect(codec.decode(key, tampered)).toBeUndefined();
    expect(codec.decode(key, refreshed)?.access_token).toBe("at-memo-2");
  });
});
