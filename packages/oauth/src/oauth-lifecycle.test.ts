import { SdkError } from "@sdk/core";
import { CredentialCipher, accessTokenKey } from "@sdk/core/provider-kit";
import { afterEach, describe, expect, it } from "vitest";
import { ENCRYPTION, startHarness, type Harness } from "../test/harness.js";
import { tokenCodec } from "./token-cache.js";

/** The access token the cache holds under `key`, opened with the SDK's key (the raw value is an envelope). */
async function cachedAccessToken(h: Harness, key: string): Promise<string | undefined> {
  const codec = tokenCodec({ cipher: new CredentialCipher(ENCRYPTION.keys), accessTokenCache: "encrypted" });
  return codec.decode(key, await h.cache.get(key))?.access_token;
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function storedRefreshToken(h: Harness, id: string): Promise<unknown> {
  const integration = await h.sdk.getConnection(id);
  const raw = await h.store.get(id);
  expect(integration.credential_fields).toContain("refresh_token");
  return raw?.credentials.refresh_token;
}

describe("OAuth lifecycle against the fake RFC 6749 server", () => {
  it("install -> consent -> callback -> create -> resolve -> expiry -> rotated refresh -> resolve -> fetch -> revoke", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await h.install();
    expect(h.server.stats.codeExchanges).toBe(1);

    const first = await h.sdk.resolveConnection(integrationId);
    expect(first.access_token).toMatch(/^at_/);
    expect(first.headers.Authorization).toBe(`Bearer ${first.access_token}`);
    expect(h.server.stats.refreshes).toBe(0);
    const cacheKey = accessTokenKey("acme", integrationId, "acct-1");
    expect(await cachedAccessToken(h, cacheKey)).toBe(first.access_token);

    const envelopeBefore = await storedRefreshToken(h, integrationId);
    expect(JSON.stringify(envelopeBefore)).toMatch(/"kid":"k1"/);

    h.clock.advance(3600 * 1000);
    const second = await h.sdk.resolveConnection(integrationId);
    expect(second.access_token).not.toBe(first.access_token);
    expect(h.server.stats.refreshes).toBe(1);
    expect(await storedRefreshToken(h, integrationId)).not.toEqual(envelopeBefore);
    expect((await h.sdk.getConnection(integrationId)).version).toBe(2);

    const response = await h.sdk.fetch(integrationId, "/api/me");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sub: "user-1" });

    const refreshTokenNow = await readRefreshToken(h, integrationId);
    const removed = await h.sdk.deleteConnection(integrationId, { revoke: true });
    expect(removed).toEqual({ deleted: true, revoked: true });
    expect(h.server.isRevoked(refreshTokenNow)).toBe(true);
    expect(await h.cache.get(cacheKey)).toBeUndefined();
  });

  it("gives a provider that omits expires_in the configured default lifetime", async () => {
    const h = (harness = await startHarness({ server: { omitExpiresIn: true }, provider: { defaultExpiresInSeconds: 120 } }));
    const { integrationId } = await h.install();
    const runtime = await h.sdk.resolveConnection(integrationId);
    expect(Date.parse(runtime.expires_at as string)).toBe(h.clock.now() + 120_000);
    h.clock.advance(61_000);
    await h.sdk.resolveConnection(integrationId);
    expect(h.server.stats.refreshes).toBe(1);
  });

  it("refreshes once and retries once when the API answers 401 to sdk.fetch", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await h.install();
    // The server's clock moves past expiry, the SDK's cache still holds the token: the API says 401.
    const before = await h.sdk.resolveConnection(integrationId);
    h.clock.advance(3600 * 1000 - 61_000);
    expect(await cachedAccessToken(h, accessTokenKey("acme", integrationId, "acct-1"))).toBe(before.access_token);
    h.clock.advance(1000);
    const response = await h.sdk.fetch(integrationId, "/api/me");
    expect(response.status).toBe(200);
    expect(h.server.stats.refreshes).toBe(1);
  });

  it("marks needs_reauth on a revoked grant, emits events, and never calls the token endpoint again", async () => {
    const h = (harness = await startHarness());
    const events: string[] = [];
    h.sdk.events.on("connection.needs_reauth", () => events.push("needs_reauth"));
    h.sdk.events.on("token.refresh_failed", (payload) => events.push(`failed:${payload.code}`));
    const { integrationId } = await h.install();
    h.server.revokeUser("user-1");
    h.clock.advance(3600 * 1000);
    const error = await h.sdk.resolveConnection(integrationId).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "reauth_required")).toBe(true);
    expect((await h.sdk.getConnection(integrationId)).status).toBe("needs_reauth");
    expect(events).toEqual(["needs_reauth", "failed:reauth_required"]);
    const again = await h.sdk.resolveConnection(integrationId).catch((caught: unknown) => caught);
    expect(SdkError.is(again, "reauth_required")).toBe(true);
    expect(h.server.stats.refreshes).toBe(0);
  });
});

async function readRefreshToken(h: Harness, id: string): Promise<string> {
  const record = await h.store.get(id);
  const envelope = record!.credentials.refresh_token;
  const { CredentialCipher } = await import("@sdk/core/provider-kit");
  const { ENCRYPTION } = await import("../test/harness.js");
  return new CredentialCipher(ENCRYPTION.keys).decrypt(record!, "refresh_token", envelope) as string;
}

describe("needs_reauth only for records that still hold the rejected refresh token", () => {
  it("a re-install that stored a new grant while the old token's refresh was being rejected stays active", async () => {
    const { createSDK } = await import("@sdk/core");
    const { CredentialCipher } = await import("@sdk/core/provider-kit");
    const { ENCRYPTION, STATE_SECRETS } = await import("../test/harness.js");
    const h = (harness = await startHarness());
    const { integrationId } = await h.install();
    h.server.revokeUser("user-1");
    const cipher = new CredentialCipher(ENCRYPTION.keys);
    // While the refresh with the old token is in flight, a re-install writes a new refresh token to the record.
    const racingFetch: typeof fetch = async (url, init) => {
      if (String(url) === h.server.tokenUrl && String(init?.body).includes("grant_type=refresh_token")) {
        const current = (await h.store.get(integrationId))!;
        await h.store.update(
          integrationId,
          { credentials: { ...current.credentials, refresh_token: cipher.encrypt(integrationId, "refresh_token", "rt_from_a_fresh_install") }, updated_at: new Date(h.clock.now()).toISOString() },
          { expectedVersion: current.version },
        );
      }
      return fetch(url, init);
    };
    const sdk = createSDK({ store: h.store, cache: h.cache, now: h.clock.now, fetch: racingFetch, state: { secrets: STATE_SECRETS }, encryption: ENCRYPTION, providers: [h.provider] });
    const reasons: string[] = [];
    sdk.events.on("connection.needs_reauth", (event) => reasons.push(event.reason));
    h.clock.advance(3600 * 1000);
    await expect(sdk.resolveConnection(integrationId)).rejects.toMatchObject({ code: "reauth_required" });
    expect((await sdk.getConnection(integrationId)).status).toBe("active");
    expect(reasons).toEqual([]);
  });
});

describe("tokens without a refresh token", () => {
  it("resolve the stored token with no refresh and expires_at null when the provider gave no expiry", async () => {
    const h = (harness = await startHarness({ server: { omitExpiresIn: true } }));
    const started = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await h.server.consent(started.url));
    const callback = await h.sdk.handleInstallCallback({ provider: "acme", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: started.browser_binding });
    const { refresh_token: _dropped, access_token_expires_at: _expiry, ...longLived } = callback.integration.credentials;
    const saved = await h.sdk.createConnection({ ...callback.integration, credentials: { ...longLived, access_token_expires_at: null } });
    h.clock.advance(30 * 24 * 3600 * 1000);
    const runtime = await h.sdk.resolveConnection(saved.id);
    expect(runtime.expires_at).toBeNull();
    expect(runtime.access_token).toBe(callback.integration.credentials.access_token);
    expect(h.server.stats.refreshes).toBe(0);
  });
});
