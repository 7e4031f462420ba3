// The planted-secret scan over Redis raw values (issue #14): an OAuth install, resolves and refreshes, and an api-key
// connection go through a RedisStore and a RedisCache on a real Redis; then every key of the run is read raw (strings,
// sets, sorted sets, hashes, lists) and no token, api key or client secret may appear in plaintext.
import { createSDK, defineApiKeyProvider } from "@sdk/core";
import { testEncryptionKey } from "@sdk/core/testing";
import { defineOAuthProvider } from "@sdk/oauth";
import { ManualClock, startOAuthEmulator, type OAuthEmulator } from "@sdk/oauth/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectStandalone, deleteMatching, uniqueName } from "../test/redis-harness.js";
import { RedisCache } from "./redis-cache.js";
import { RedisStore } from "./redis-store.js";

const REDIRECT_URI = "https://app.example.test/callback/acme";
const { url } = inject("redis");
let client: Redis;
let server: OAuthEmulator;
const prefix = uniqueName("raw-secrets");

beforeAll(async () => {
  client = await connectStandalone(url);
});

afterAll(async () => {
  await deleteMatching(client, `*${prefix}*`);
  await server?.close();
  await client.quit();
});

/** Every key of this run with its raw value, whatever its type. */
async function rawDump(): Promise<Array<{ key: string; type: string; text: string }>> {
  const dump: Array<{ key: string; type: string; text: string }> = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `*${prefix}*`, "COUNT", 500);
    cursor = next;
    for (const key of keys) {
      const type = await client.type(key);
      const values =
        type === "string" ? [(await client.get(key)) ?? ""]
        : type === "set" ? await client.smembers(key)
        : type === "zset" ? await client.zrange(key, "0", "-1")
        : type === "hash" ? Object.entries(await client.hgetall(key)).flat()
        : type === "list" ? await client.lrange(key, 0, -1)
        : [];
      if (values.length === 0 && type !== "none") throw new Error(`no raw reader for Redis type ${type} (key ${key})`);
      dump.push({ key, type, text: [key, ...values].join("\n") });
    }
  } while (cursor !== "0");
  return dump;
}

describe("no planted secret in any raw Redis value (store and cache)", () => {
  it("after an OAuth install, resolves, refreshes and an api-key connection", async () => {
    const clock = new ManualClock();
    server = await startOAuthEmulator({ redirectUris: [REDIRECT_URI], clock });
    const secrets = new Set<string>([server.clientSecret, "PLANTED-api-key-redis-5f1c9a7e"]);
    // Every token the provider hands out is planted: the SDK's fetch is watched at the token endpoint.
    const watchingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input instanceof Request ? input.url : input).startsWith(server.tokenUrl) && response.ok) {
        const body = (await response.clone().json()) as { access_token?: string; refresh_token?: string };
        for (const token of [body.access_token, body.refresh_token]) if (token) secrets.add(token);
      }
      return response;
    };
    const provider = defineOAuthProvider({
      id: "acme",
      client: { clientId: server.clientId, clientSecret: server.clientSecret, redirectUri: REDIRECT_URI, scopes: ["read"] },
      endpoints: { authorizeUrl: server.authorizeUrl, tokenUrl: server.tokenUrl, apiBaseUrl: server.url },
    });
    const sdk = createSDK({
      store: new RedisStore(client, { keyPrefix: prefix }),
      cache: new RedisCache(client, { keyPrefix: `${prefix}:` }),
      now: clock.now,
      fetch: watchingFetch,
      state: { secrets: [{ id: "s1", secret: "state-secret-0123456789-abcdefghijklmnop" }] },
      encryption: { keys: [testEncryptionKey()] },
      providers: [provider, defineApiKeyProvider({ id: "scan-key", baseUrl: server.url })],
    });

    const install = await sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await server.consent(install.url));
    const callback = await sdk.handleInstallCallback({ provider: "acme", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: install.browser_binding });
    const oauth = await sdk.createConnection(callback.integration);
    const key = await sdk.createConnection({ provider: "scan-key", account_id: "acct-1", created_by: "user-1", credentials: { api_key: "PLANTED-api-key-redis-5f1c9a7e" } });
    for (let round = 0; round < 3; round++) {
      await sdk.resolveConnection(oauth.id);
      await sdk.resolveConnection(key.id);
      clock.advance(3600 * 1000); // past the access token's expiry: the next resolve refreshes (and rotates the refresh token)
    }
    await sdk.resolveConnection(oauth.id);
    expect(server.stats.refreshes).toBeGreaterThanOrEqual(3);
    // Install + 3 refreshes, each an access and a rotated refresh token; plus client secret and api key.
    expect(secrets.size).toBeGreaterThanOrEqual(10);

    const dump = await rawDump();
    // The scan must see the records, the cache entries and the index structures, or it proves nothing.
    expect(dump.some((entry) => entry.key.includes(oauth.id))).toBe(true);
    expect(dump.some((entry) => entry.key.includes(key.id))).toBe(true);
    expect(dump.some((entry) => entry.key.startsWith(`${prefix}:`))).toBe(true);
    expect(new Set(dump.map((entry) => entry.type)).size).toBeGreaterThan(1);
    const hits = dump.flatMap((entry) => [...secrets].filter((secret) => entry.text.includes(secret)).map((secret) => `${entry.type} ${entry.key}: ${secret.slice(0, 6)}…`));
    expect(hits).toEqual([]);
  });
});
