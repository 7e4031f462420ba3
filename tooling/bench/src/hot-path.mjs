// Bench scenario `hotPath`: the resolve hot path on RedisCache (records in MemoryStore), with and without the L1,
// against a raw ioredis GET of the same key, then the same over 1000 integrations. Only measures; prints nothing.
import { MemoryStore } from "@sdk/core";
import { installOAuth } from "@sdk/oauth/testing";
import { RedisCache } from "@sdk/storage-redis";
import { scenarioSdk, startAcmeEmulator } from "@sdk-tooling/reliability/acme-kit";
import { ROUNDS, ROUND_MS, benchConfig, connect, median, round, throughput } from "./measure.mjs";

/** Bench scenario: `results.hotPath` (the fleet scenario adds its figures beside these). */
export const hotPath = {
  section: "hotPath",
  progress: "hot path (64 concurrent)…",
  run: ({ redisUrl }) => measureHotPath(redisUrl),
  record(results, value) {
    results.hotPath = value;
  },
  rows: ({ hotPath: hot }) => [
    ["resolve hot path, RedisCache (records in MemoryStore), 64 concurrent", `${hot.resolvePerSecond.toLocaleString("en")} resolves/s`, `raw ioredis GET of the same key: ${hot.rawGetPerSecond.toLocaleString("en")}/s`, `${hot.ratio}x`, ">= 0.8x"],
    ["resolve hot path with the RedisCache L1, 64 concurrent", `${hot.resolveWithL1PerSecond.toLocaleString("en")} resolves/s`, `raw ioredis GET: ${hot.rawGetPerSecond.toLocaleString("en")}/s`, `${hot.ratioL1}x`, ">= 5x"],
    [`same, over ${hot.distinctIntegrations} integrations (no two callers share one)`, `${hot.resolveManyPerSecond.toLocaleString("en")} resolves/s; with L1 ${hot.resolveWithL1ManyPerSecond.toLocaleString("en")}/s`, `raw GET of the same ${hot.distinctIntegrations} keys: ${hot.rawGetManyPerSecond.toLocaleString("en")}/s`, `${hot.ratioMany}x; L1 ${hot.ratioL1Many}x`, "—"],
  ],
};

async function measureHotPath(redisUrl) {
  const server = await startAcmeEmulator();
  const clients = await Promise.all([connect(redisUrl), connect(redisUrl), connect(redisUrl)]);
  const [rawClient, sdkClient, l1Client] = clients;
  const plainCache = new RedisCache(sdkClient);
  const l1Cache = new RedisCache(l1Client, { l1: { maxEntries: 10_000, maxTtlMs: 30_000 } });
  const store = new MemoryStore();
  const config = benchConfig(redisUrl, server, "sdk");
  const sdk = scenarioSdk(config, { store, cache: plainCache });
  const sdkWithL1 = scenarioSdk(config, { store, cache: l1Cache });
  const { id } = await installOAuth(sdk, server, { user_id: "bench-user", account_id: "acct-hot" });
  const key = `integration:acme:${id}:app_user:acct-hot:access_token`;
  const check = await sdk.resolveConnection(id);
  if ((await rawClient.get(key)) === null || !check.access_token) throw new Error("hot path setup: the token is not cached");
  // The same figures over 1000 integrations, so concurrent callers rarely share an integration and the SDK's
  // per-process resolve sharing cannot help: per-call cost against per-call cost.
  const many = [];
  for (let index = 0; index < 1000; index++) {
    const saved = await sdk.createConnection({
      provider: "acme",
      account_id: `acct-${index}`,
      created_by: "bench-user",
      credentials: { refresh_token: `rt-bench-${index}`, access_token: `at-bench-${index}`, access_token_expires_at: Date.now() + 3_600_000, token_type: "Bearer", scopes: ["read"] },
    });
    many.push({ id: saved.id, key: `integration:acme:${saved.id}:app_user:acct-${index}:access_token` });
  }
  let cursor = 0;
  const next = () => many[(cursor = (cursor + 1) % many.length)];
  const variants = {
    raw: () => rawClient.get(key),
    sdk: () => sdk.resolveConnection(id),
    sdkL1: () => sdkWithL1.resolveConnection(id),
    rawMany: () => rawClient.get(next().key),
    sdkMany: () => sdk.resolveConnection(next().id),
    sdkL1Many: () => sdkWithL1.resolveConnection(next().id),
  };
  for (const operation of Object.values(variants)) await throughput(operation, 64, 300);
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  // Interleaved rounds, medians: on a shared machine a neighbour's burst hits every variant alike.
  for (let index = 0; index < ROUNDS; index++) {
    for (const [name, operation] of Object.entries(variants)) samples[name].push(await throughput(operation, 64, ROUND_MS));
  }
  const tokenCalls = server.stats.refreshes;
  await Promise.all([plainCache.dispose(), l1Cache.dispose()]);
  for (const client of clients) client.disconnect();
  await server.close();
  const raw = median(samples.raw);
  const rawMany = median(samples.rawMany);
  return {
    concurrency: 64,
    rawGetPerSecond: Math.round(raw),
    resolvePerSecond: Math.round(median(samples.sdk)),
    resolveWithL1PerSecond: Math.round(median(samples.sdkL1)),
    ratio: round(median(samples.sdk) / raw),
    ratioL1: round(median(samples.sdkL1) / raw),
    distinctIntegrations: 1000,
    rawGetManyPerSecond: Math.round(rawMany),
    resolveManyPerSecond: Math.round(median(samples.sdkMany)),
    resolveWithL1ManyPerSecond: Math.round(median(samples.sdkL1Many)),
    ratioMany: round(median(samples.sdkMany) / rawMany),
    ratioL1Many: round(median(samples.sdkL1Many) / rawMany),
    refreshesDuringRun: tokenCalls,
    samples,
  };
}
