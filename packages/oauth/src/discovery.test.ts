// defineOAuthProvider({ issuer }) against the fake RFC 6749 server: the whole lifecycle (install, refresh, revoke) on
// endpoints read from the server's RFC 8414 metadata once per provider, an explicit endpoint still winning, and a
// provider with neither endpoints nor issuer refused when it is defined.
import { MemoryCache, MemoryStore, SdkError, createSDK } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { ENCRYPTION, REDIRECT_URI, STATE_SECRETS } from "../test/harness.js";
import { defineOAuthProvider } from "./define-oauth-provider.js";
import { ManualClock } from "./testing/manual-clock.js";
import { startOAuthEmulator, type OAuthEmulator } from "./testing/start-oauth-emulator.js";

let server: OAuthEmulator | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function sdkOn(oauth: OAuthEmulator, overrides: { tokenUrl?: string } = {}) {
  const clock = new ManualClock();
  const calls: string[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    calls.push(String(input instanceof Request ? input.url : input));
    return globalThis.fetch(input, init);
  };
  const provider = defineOAuthProvider({
    id: "acme",
    client: { clientId: oauth.clientId, clientSecret: oauth.clientSecret, redirectUri: REDIRECT_URI, scopes: ["read"] },
    endpoints: { issuer: oauth.issuer, ...overrides },
  });
  const sdk = createSDK({ store: new MemoryStore(), cache: new MemoryCache({ now: clock.now }), now: clock.now, fetch, state: { secrets: STATE_SECRETS }, encryption: ENCRYPTION, providers: [provider] });
  return { sdk, clock, calls };
}

async function install(oauth: OAuthEmulator, sdk: Awaited<ReturnType<typeof sdkOn>>["sdk"]): Promise<string> {
  const started = await sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
  const back = new URL(await oauth.consent(started.url));
  const { integration } = await sdk.handleInstallCallback({ provider: "acme", query: back, browser_binding: started.browser_binding });
  return (await sdk.createConnection(integration)).id;
}

describe("discovery (RFC 8414) against the fake RFC 6749 server", () => {
  it("installs, refreshes and revokes on endpoints from the metadata, read once", async () => {
    const oauth = (server = await startOAuthEmulator({ redirectUris: [REDIRECT_URI], clientAuth: "client_secret_post", requirePkce: true }));
    const { sdk, clock, calls } = await sdkOn(oauth);
    const id = await install(oauth, sdk);
    clock.advance(3600_000);
    await sdk.resolveConnection(id);
    expect(oauth.stats).toMatchObject({ codeExchanges: 1, refreshes: 1 });
    expect(await sdk.deleteConnection(id, { revoke: true })).toEqual({ deleted: true, revoked: true });
    expect(oauth.stats.revocations).toBe(1);
    // The server takes client_secret_post only and requires PKCE: both came from its metadata.
    expect(oauth.counters.metadata).toBe(1);
    expect(calls.filter((url) => url.includes("/.well-known/"))).toEqual([oauth.metadataUrl]);
  });

  it("keeps an explicit endpoint over the metadata's", async () => {
    const oauth = (server = await startOAuthEmulator({ redirectUris: [REDIRECT_URI] }));
    const explicit = `${oauth.tokenUrl}?via=explicit`;
    const { sdk, calls } = await sdkOn(oauth, { tokenUrl: explicit });
    await install(oauth, sdk);
    expect(calls).toContain(explicit);
    expect(calls).not.toContain(oauth.tokenUrl);
  });

  it("refuses a provider with neither endpoints nor issuer when it is defined", () => {
    let error: unknown;
    try {
      defineOAuthProvider({ id: "acme", client: { clientId: "c", clientSecret: "s", redirectUri: REDIRECT_URI }, endpoints: {} });
    } catch (caught) {
      error = caught;
    }
    expect(SdkError.is(error, "misconfigured") && error.details.field).toBe("defineOAuthProvider.endpoints.authorizeUrl");
  });
});
