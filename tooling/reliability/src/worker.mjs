// One SDK process of the reliability suite and the benchmarks: a real `node` child (forked by worker-pool.mjs) that
// builds the SDK from the built @sdk/* packages on a shared Redis (RedisCache + RedisStore) and an OAuth server in
// the parent. Its fetch and cache are the real ones behind a fault point that SIGKILLs this process on request.
import { SdkError } from "@sdk/core";
import { RedisCache, RedisStore, failFastRedisOptions } from "@sdk/storage-redis";
import { Redis } from "ioredis";
import { scenarioSdk } from "./acme-kit.mjs";
import { fingerprint } from "./worker-pool.mjs";

/** @type {import("./worker-pool.mjs").WorkerConfig} */
const config = JSON.parse(process.argv[2] ?? "{}");

/** Where this process kills itself during the next refresh: set by an "arm" message, one-shot. */
let killAt = null;
const die = (point) => {
  process.send?.({ type: "dying", point });
  // SIGKILL: no finally blocks, no lock release, no flushing; exactly what a crash or an OOM kill leaves behind.
  process.kill(process.pid, "SIGKILL");
};

const isRefresh = (url, init) => String(url) === config.provider.endpoints.tokenUrl && String(init?.body ?? "").includes("grant_type=refresh_token");

/** The real fetch with two fault points around the token endpoint. */
async function faultFetch(url, init) {
  const refresh = isRefresh(url, init);
  if (refresh && killAt === "before-token-call") die(killAt);
  const response = await fetch(url, init);
  if (refresh && killAt === "after-token-answer") {
    // The provider has answered (and rotated); the engine never sees the answer.
    await response.clone().text();
    die(killAt);
  }
  return response;
}

const redis = new Redis(config.redisUrl, { ...failFastRedisOptions, lazyConnect: true });
// Outage tests stop Redis under this process: the errors reach callers as SdkErrors, not as unhandled events.
redis.on("error", () => undefined);
await redis.connect();
const redisCache = new RedisCache(redis, config.l1 ? { l1: config.l1 } : {});

/** The real RedisCache; the rotation-journal write can be the last thing this process does. */
const cache = {
  get: (key) => redisCache.get(key),
  async set(key, value, ttlMs) {
    await redisCache.set(key, value, ttlMs);
    if (killAt === "after-journal-write" && key.includes(":rotation:")) die(killAt);
  },
  delete: (key) => redisCache.delete(key),
  setIfAbsent: (key, value, ttlMs) => redisCache.setIfAbsent(key, value, ttlMs),
  deleteIfEquals: (key, value) => redisCache.deleteIfEquals(key, value),
  waitFor: (key, timeoutMs, signal) => redisCache.waitFor(key, timeoutMs, signal),
};

const events = [];
const store = new RedisStore(redis, { keyPrefix: config.storePrefix, ...(config.recordTier ? { recordTier: config.recordTier } : {}) });

/** Successful store writes left before this process kills itself ("after-store-writes"): set by "arm-writes". */
let writesLeft = null;
/** The real RedisStore; with `storeFaults`, a write can be the last thing this process does. */
const faultStore = {
  get: (id, options) => store.get(id, options),
  create: (record) => store.create(record),
  async update(id, patch, options) {
    const updated = await store.update(id, patch, options);
    if (writesLeft !== null && --writesLeft === 0) die("after-store-writes");
    return updated;
  },
  delete: (id) => store.delete(id),
  list: (filter) => store.list(filter),
  scan: (query) => store.scan(query),
};
const sdk = scenarioSdk(config, { store: config.storeFaults ? faultStore : store, cache, fetch: faultFetch });
// A background refresh's failure (refresh-ahead) is told apart: "token.refresh_failed:background".
for (const name of ["token.refreshed", "token.refresh_failed", "connection.needs_reauth"]) sdk.events.on(name, (payload) => events.push(payload?.background ? `${name}:background` : name));

/** `count` concurrent resolves of one integration: token fingerprints, error codes and per-call latency (ms). */
async function resolveBatch(id, count) {
  const tokens = {};
  const errors = {};
  const latencies = [];
  await Promise.all(
    Array.from({ length: count }, async () => {
      const started = performance.now();
      try {
        const runtime = await sdk.resolveConnection(id);
        // Taken before the fingerprint: the callers resumed after this one must not wait for this one's SHA-256.
        latencies.push(performance.now() - started);
        const key = fingerprint(runtime.access_token);
        tokens[key] = (tokens[key] ?? 0) + 1;
      } catch (error) {
        latencies.push(performance.now() - started);
        const code = SdkError.is(error) ? error.code : `crash:${error instanceof Error ? error.name : typeof error}`;
        errors[code] = (errors[code] ?? 0) + 1;
      }
    }),
  );
  return { tokens, errors, latencies };
}

/** Resolves in a loop (`concurrency` at a time) until told to stop: the load under which Redis goes away. */
let load;
function startLoad(id, concurrency, pauseMs) {
  const totals = { calls: 0, tokens: {}, errors: {}, slowestFailureMs: 0 };
  let running = true;
  const lane = async () => {
    while (running) {
      const started = performance.now();
      try {
        const runtime = await sdk.resolveConnection(id);
        const key = fingerprint(runtime.access_token);
        totals.tokens[key] = (totals.tokens[key] ?? 0) + 1;
      } catch (error) {
        const code = SdkError.is(error) ? `${error.code}${error.retryable ? "" : ":final"}` : `crash:${error instanceof Error ? error.name : typeof error}`;
        totals.errors[code] = (totals.errors[code] ?? 0) + 1;
        totals.slowestFailureMs = Math.max(totals.slowestFailureMs, performance.now() - started);
      }
      totals.calls += 1;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  };
  const lanes = Array.from({ length: concurrency }, lane);
  load = async () => {
    running = false;
    await Promise.all(lanes);
    return totals;
  };
}

/** One whole keep-alive sweep (sdk.refreshDue page by page): summed counts and the ids it refreshed. */
async function refreshDueSweep(within, limit, concurrency) {
  const totals = { pages: 0, examined: 0, refreshed: 0, not_due: 0, skipped: 0, not_refreshable: 0, needs_reauth: 0, failed: 0, failures: {}, refreshedIds: [] };
  const off = sdk.events.on("token.refreshed", (event) => totals.refreshedIds.push(event.integration_id));
  try {
    let cursor = null;
    do {
      const page = await sdk.refreshDue({ within, limit, concurrency, ...(cursor ? { cursor } : {}) });
      totals.pages += 1;
      for (const field of ["examined", "refreshed", "not_due", "skipped", "not_refreshable", "needs_reauth", "failed"]) totals[field] += page[field];
      for (const [code, count] of Object.entries(page.failures)) totals.failures[code] = (totals.failures[code] ?? 0) + count;
      cursor = page.cursor;
    } while (cursor);
  } finally {
    off();
  }
  return totals;
}

process.on("message", async (message) => {
  try {
    if (message.type === "arm") {
      killAt = message.point;
      process.send({ type: "armed", seq: message.seq });
    } else if (message.type === "arm-writes") {
      writesLeft = message.count;
      process.send({ type: "armed", seq: message.seq });
    } else if (message.type === "reencrypt") {
      const onProgress = (progress) => process.send({ type: "progress", progress });
      const result = await sdk.reencryptConnections({ limit: message.limit, ...(message.cursor ? { cursor: message.cursor } : {}), onProgress });
      process.send({ type: "reencrypted", seq: message.seq, ...result });
    } else if (message.type === "warm-fetch") {
      // The first request of a fresh process loads and connects fetch (undici): ~30-60 ms once, which a long-running
      // service has paid long before. Unauthenticated, so the server refuses it without touching any grant.
      const response = await fetch(message.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=warm_up" });
      await response.arrayBuffer();
      process.send({ type: "fetch-warmed", seq: message.seq, status: response.status });
    } else if (message.type === "resolve") {
      process.send({ type: "resolved", seq: message.seq, ...(await resolveBatch(message.id, message.count)) });
    } else if (message.type === "load") {
      startLoad(message.id, message.concurrency, message.pauseMs ?? 5);
      process.send({ type: "loading", seq: message.seq });
    } else if (message.type === "stop-load") {
      process.send({ type: "load-stopped", seq: message.seq, ...(await load()) });
    } else if (message.type === "refresh-due") {
      process.send({ type: "swept", seq: message.seq, ...(await refreshDueSweep(message.within, message.limit, message.concurrency)) });
    } else if (message.type === "events") {
      process.send({ type: "events", seq: message.seq, events: events.splice(0) });
    } else if (message.type === "close") {
      await redisCache.dispose();
      await store.dispose();
      redis.disconnect();
      process.exit(0);
    }
  } catch (error) {
    process.send({ type: "failed", seq: message.seq, message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
});
process.send({ type: "ready", pid: process.pid });
