import { RedisCache, RedisStore } from "@sdk/storage-redis";
import { scenarioSdk, startAcmeEmulator } from "@sdk-tooling/reliability/acme-kit";
import { benchConfig, connect, throughput } from "./measure.mjs";
const redisUrl = process.env.REDIS_URL;
const variant = process.argv[2] ?? "tiers";
const server = await startAcmeEmulator();
const client = await connect(redisUrl);
const prefix = `prof-${Math.random().toString(36).slice(2, 8)}`;
const config = benchConfig(redisUrl, server, prefix);
const tiers = variant === "tiers";
const cache = new RedisCache(client, tiers ? { l1: { maxEntries: 10_000, maxTtlMs: 30_000 } } : {});
const store = new RedisStore(client, { keyPrefix: prefix, ...(tiers ? { recordTier: { maxEntries: 10_000, maxTtlMs: 30_000 } } : {}) });
const sdk = scenarioSdk(config, { store, cache });
const ids = []; const keys = [];
for (let i = 0; i < 1000; i++) {
  const saved = await sdk.createConnection({ provider: "acme", account_id: `f-${i}`, created_by: "u", credentials: { refresh_token: `rt-${i}`, access_token: `at-${i}`, access_token_expires_at: Date.now() + 3_600_000, token_type: "Bearer", scopes: ["read"] } });
  ids.push(saved.id); keys.push(`integration:acme:${saved.id}:app_user:f-${i}:access_token`);
}
let a = 0, b = 0;
const op = variant === "raw" ? () => client.get(keys[(a = (a + 1) % 1000)]) : () => sdk.resolveConnection(ids[(b = (b + 1) % 1000)]);
await throughput(op, 64, 500);
const r = await throughput(op, 64, Number(process.env.MS ?? 4000));
console.log(variant, Math.round(r), "/s");
await cache.dispose(); await store.dispose?.(); client.disconnect(); await server.close();
