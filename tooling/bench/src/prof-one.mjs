// temporary profiling harness (not committed)
import { Redis } from "ioredis";
import { createSDK, defineApiKeyProvider } from "@sdk/core";
import { startOAuthServer } from "@sdk/oauth/testing";
import { RedisCache, RedisStore, failFastRedisOptions } from "@sdk/storage-redis";
import { REDIRECT_URI, WallClock, acmeProvider, scenarioSdk } from "@sdk-tooling/reliability/acme-kit";
const variant = process.env.VARIANT ?? "tiers";
const client = new Redis(process.env.BENCH_REDIS_URL, { ...failFastRedisOptions, lazyConnect: true }); await client.connect();
const server = await startOAuthServer({ redirectUris: [REDIRECT_URI], clock: new WallClock() });
const prefix = `p-${Math.random().toString(36).slice(2, 8)}`;
const tiers = variant.includes("tiers");
const store = new RedisStore(client, { keyPrefix: prefix, ...(tiers ? { recordTier: { maxEntries: 10000, maxTtlMs: 30000 } } : {}) });
const cache = new RedisCache(client, tiers ? { l1: { maxEntries: 10000, maxTtlMs: 30000 } } : {});
const config = { storePrefix: prefix, sdkKeyPrefix: prefix, stateSecret: "bench-state-secret-0123456789abcdefghij", encryptionKey: Buffer.alloc(32, 5).toString("base64"), provider: acmeProvider(server) };
const sdk = variant.startsWith("key") ? createSDK({ store, state: { secrets: [{ id: "s1", secret: config.stateSecret }] }, encryption: { keys: [{ id: "k1", key: config.encryptionKey }] }, providers: [defineApiKeyProvider({ id: "keyed" })] }) : scenarioSdk(config, { store, cache });
const ids = [];
for (let i = 0; i < 1000; i++) ids.push((await sdk.createConnection(variant.startsWith("key") ? { provider: "keyed", account_id: `a${i}`, created_by: "u", credentials: { api_key: `key-${i}-0123456789abcdef` } } : { provider: "acme", account_id: `a${i}`, created_by: "u", credentials: { refresh_token: `rt${i}`, access_token: `at${i}`, access_token_expires_at: Date.now() + 3600000, token_type: "Bearer", scopes: ["read"] } })).id);
let at = 0; const keys = ids.map((id, i) => `integration:acme:${id}:app_user:a${i}:access_token`);
const op = variant === "raw" ? () => client.get(keys[(at = (at + 1) % 1000)]) : () => sdk.resolveConnection(ids[(at = (at + 1) % 1000)]);
async function tp(ms) { let done = 0; const stop = performance.now() + ms; const t = performance.now(); await Promise.all(Array.from({ length: 64 }, async () => { while (performance.now() < stop) { await op(); done++; } })); return Math.round(done / ((performance.now() - t) / 1000)); }
await tp(1500); const counts = {}; const orig = client.sendCommand.bind(client); client.sendCommand = (c, ...r) => { const k = c.name + " " + (c.name === "mget" ? c.args.length : ""); counts[k] = (counts[k] ?? 0) + 1; return orig(c, ...r); };
console.log(variant, await tp(Number(process.env.MS ?? 3000)), counts);
await cache.dispose(); await store.dispose(); client.disconnect(); await server.close();
