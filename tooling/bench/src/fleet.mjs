// The resolve hot path on the deployment the README recommends: RedisStore records + RedisCache tokens, 1000
// distinct integrations, 64 concurrent callers each asking for a different integration, against a raw GET of 1000
// keys on the same client in the same run. Without in-process tiers, then with them (RedisStore record tier +
// RedisCache L1); the same for an api-key provider (records only), and the OAuth resolve with the access tokens kept
// as 1.x plaintext JSON in the cache, which prices the sealed cache (the default with keys) on the hot path.
// Bench scenario `fleet`; its figures land in `results.hotPath`. Only measures; prints nothing.
import { defineApiKeyProvider } from "@sdk/core";
import { RedisCache, RedisStore } from "@sdk/storage-redis";
import { scenarioSdk, startAcmeEmulator } from "@sdk-tooling/reliability/acme-kit";
import { createSDK } from "@sdk/core";
import { defineOAuthProvider } from "@sdk/oauth";
import { ROUNDS, ROUND_MS, benchConfig, connect, median, round, throughput } from "./measure.mjs";

const FLEET = 1000;
const CONCURRENCY = 64;

/** Bench scenario: `results.hotPath.fleet` and the hot path's fleet ratios beside it. */
export const fleet = {
  section: "fleet",
  progress: "fleet: RedisStore + RedisCache, 1000 integrations (64 concurrent)…",
  run: ({ redisUrl }) => measureFleet(redisUrl),
  record(results, value) {
    results.hotPath = { ...results.hotPath, fleet: value, redisFleetRatio: value.redisFleetRatio, redisFleetRatioL1: value.redisFleetRatioL1, apiKeyFleetRatio: value.apiKeyFleetRatio, sealedCacheRatio: value.sealedCacheRatio };
  },
  rows: ({ hotPath: hot }) => [
    [`fleet: RedisStore + RedisCache, ${hot.fleet.integrations} integrations, ${hot.fleet.concurrency} concurrent, no in-process tier (\`hotPath.redisFleetRatio\`)`, `${hot.fleet.resolvePerSecond.toLocaleString("en")} resolves/s`, `raw GET of ${hot.fleet.integrations} keys, same client: ${hot.fleet.rawGetPerSecond.toLocaleString("en")}/s`, `${hot.redisFleetRatio}x`, ">= 0.5x"],
    ["same, with the record tier and the L1 (`hotPath.redisFleetRatioL1`)", `${hot.fleet.resolveWithTiersPerSecond.toLocaleString("en")} resolves/s`, "same raw GET", `${hot.redisFleetRatioL1}x`, ">= 0.9x"],
    ["same, api-key provider on RedisStore, no tier (`hotPath.apiKeyFleetRatio`)", `${hot.fleet.apiKeyResolvePerSecond.toLocaleString("en")} resolves/s; with the record tier ${hot.fleet.apiKeyResolveWithTierPerSecond.toLocaleString("en")}/s`, "same raw GET", `${hot.apiKeyFleetRatio}x; tier ${hot.fleet.apiKeyFleetRatioTier}x`, ">= 0.5x"],
    ["same OAuth fleet, access tokens sealed in the cache (the default with keys) vs 1.x plaintext JSON (`hotPath.sealedCacheRatio`)", `${hot.fleet.resolvePerSecond.toLocaleString("en")} resolves/s sealed`, `${hot.fleet.resolvePlaintextCachePerSecond.toLocaleString("en")}/s plaintext`, `${hot.sealedCacheRatio}x`, "measured (cost of the default)"],
  ],
};

async function measureFleet(redisUrl) {
  const server = await startAcmeEmulator();
  const client = await connect(redisUrl);
  const prefix = `fleet-${Math.random().toString(36).slice(2, 8)}`;
  const config = benchConfig(redisUrl, server, prefix);
  const tierOptions = { recordTier: { maxEntries: 10_000, maxTtlMs: 30_000 } };
  const caches = [new RedisCache(client), new RedisCache(client, { l1: { maxEntries: 10_000, maxTtlMs: 30_000 } })];
  const stores = [new RedisStore(client, { keyPrefix: prefix }), new RedisStore(client, { keyPrefix: prefix, ...tierOptions })];
  const sdk = scenarioSdk(config, { store: stores[0], cache: caches[0] });
  const sdkTiers = scenarioSdk(config, { store: stores[1], cache: caches[1] });
  // Its own integrations: the access-token keys are the 1.x ones, so a sealed and a plaintext value cannot share them.
  const plainCacheSdk = createSDK({
    store: stores[0],
    cache: caches[0],
    keyPrefix: config.sdkKeyPrefix,
    state: { secrets: [{ id: "s1", secret: config.stateSecret }] },
    encryption: { keys: [{ id: "k1", key: config.encryptionKey }], accessTokenCache: "plaintext" },
    providers: [defineOAuthProvider(/** @type {any} */ (config.provider))],
  });
  const apiKeySdk = (store) =>
    createSDK({
      store,
      state: { secrets: [{ id: "s1", secret: config.stateSecret }] },
      encryption: { keys: [{ id: "k1", key: config.encryptionKey }] },
      providers: [defineApiKeyProvider({ id: "keyed", baseUrl: "https://api.example.test" })],
    });
  const keyed = apiKeySdk(stores[0]);
  const keyedTier = apiKeySdk(stores[1]);

  const oauthIds = [];
  const plainCacheIds = [];
  const keyedIds = [];
  const tokenKeys = [];
  for (let index = 0; index < FLEET; index++) {
    const saved = await sdk.createConnection({
      provider: "acme",
      account_id: `fleet-${index}`,
      created_by: "bench-user",
      credentials: { refresh_token: `rt-fleet-${index}`, access_token: `at-fleet-${index}`, access_token_expires_at: Date.now() + 3_600_000, token_type: "Bearer", scopes: ["read"] },
    });
    oauthIds.push(saved.id);
    const plain = await plainCacheSdk.createConnection({
      provider: "acme",
      account_id: `fleet-plain-${index}`,
      created_by: "bench-user",
      credentials: { refresh_token: `rt-plain-${index}`, access_token: `at-plain-${index}`, access_token_expires_at: Date.now() + 3_600_000, token_type: "Bearer", scopes: ["read"] },
    });
    plainCacheIds.push(plain.id);
    tokenKeys.push(`integration:acme:${saved.id}:app_user:fleet-${index}:access_token`);
    keyedIds.push((await keyed.createConnection({ provider: "keyed", account_id: `fleet-${index}`, created_by: "bench-user", credentials: { api_key: `key-${index}-0123456789abcdef` } })).id);
  }
  if ((await client.get(tokenKeys[0])) === null) throw new Error("fleet setup: the access tokens are not cached");
  const cursor = (ids) => {
    let at = 0;
    return () => ids[(at = (at + 1) % ids.length)];
  };
  const nextKey = cursor(tokenKeys);
  const nextOauth = cursor(oauthIds);
  const nextOauthTier = cursor(oauthIds);
  const nextPlainCache = cursor(plainCacheIds);
  const nextKeyed = cursor(keyedIds);
  const nextKeyedTier = cursor(keyedIds);
  const variants = {
    raw: () => client.get(nextKey()),
    oauth: () => sdk.resolveConnection(nextOauth()),
    oauthTiers: () => sdkTiers.resolveConnection(nextOauthTier()),
    oauthPlaintextCache: () => plainCacheSdk.resolveConnection(nextPlainCache()),
    apiKey: () => keyed.resolveConnection(nextKeyed()),
    apiKeyTier: () => keyedTier.resolveConnection(nextKeyedTier()),
  };
  for (const operation of Object.values(variants)) await throughput(operation, CONCURRENCY, 300);
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  // Interleaved rounds, medians: on a shared machine a neighbour's burst hits every variant alike.
  for (let index = 0; index < ROUNDS; index++) {
    for (const [name, operation] of Object.entries(variants)) samples[name].push(await throughput(operation, CONCURRENCY, ROUND_MS));
  }
  const refreshes = server.stats.refreshes;
  await Promise.all(caches.map((cache) => cache.dispose()));
  await Promise.all(stores.map((store) => store.dispose?.()));
  client.disconnect();
  await server.close();
  const raw = median(samples.raw);
  const perSecond = (name) => Math.round(median(samples[name]));
  return {
    integrations: FLEET,
    concurrency: CONCURRENCY,
    rawGetPerSecond: Math.round(raw),
    resolvePerSecond: perSecond("oauth"),
    resolveWithTiersPerSecond: perSecond("oauthTiers"),
    resolvePlaintextCachePerSecond: perSecond("oauthPlaintextCache"),
    /** Sealed-cache resolves per plaintext-cache resolve (1 = no cost). */
    sealedCacheRatio: round(median(samples.oauth) / median(samples.oauthPlaintextCache)),
    apiKeyResolvePerSecond: perSecond("apiKey"),
    apiKeyResolveWithTierPerSecond: perSecond("apiKeyTier"),
    redisFleetRatio: round(median(samples.oauth) / raw),
    redisFleetRatioL1: round(median(samples.oauthTiers) / raw),
    apiKeyFleetRatio: round(median(samples.apiKey) / raw),
    apiKeyFleetRatioTier: round(median(samples.apiKeyTier) / raw),
    refreshesDuringRun: refreshes,
    samples,
  };
}
