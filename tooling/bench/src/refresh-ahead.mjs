// Bench scenario `refreshAhead`: latency of 4 processes x 250 callers resolving a token inside its refresh-ahead
// window (one of them starts the background refresh at a 50 ms token endpoint), against the same bursts on the same
// token a moment earlier, outside the window (the hot path), interleaved window by window. The ratio compares the
// bursts' p99s, each burst's own p99 taken and the median over the windows: on 2 cores shared by 4 workers, the
// emulator and Redis, one burst the scheduler stalls moves a pooled p99 by more than the refresh does (the pooled p99s
// are reported too). Only measures; prints nothing.
import { installOAuth, readCachedToken } from "@sdk/oauth/testing";
import { RedisCache, RedisStore } from "@sdk/storage-redis";
import { acmeProvider, scenarioSdk, startAcmeEmulator } from "@sdk-tooling/reliability/acme-kit";
import { fingerprint, mergeResults, startWorkers } from "@sdk-tooling/reliability/worker-pool";
import { benchConfig, connect, median, percentile, quick, round } from "./measure.mjs";

// 4 s tokens, 1 s skew, 1 s window: the hot-path burst runs 1 s after issue, the window opens at 2 s.
const TOKEN_SECONDS = 4;
const TUNING = { skewSeconds: 1, refreshAheadSeconds: 1 };
const HOT_AT_MS = 1000;
const WINDOW_AT_MS = 2100;

/** Bench scenario: `results.stampede.refreshAhead` and `results.stampede.refreshAheadP99Ratio`. */
export const refreshAhead = {
  section: "refreshAhead",
  progress: "refresh-ahead (4 processes x 250 callers inside the window)…",
  run: ({ redisUrl }) => measureRefreshAhead(redisUrl),
  record(results, value) {
    results.stampede = { ...results.stampede, refreshAhead: value, refreshAheadP99Ratio: round(value.windowBurstP99Ms / value.hotBurstP99Ms) };
  },
  rows: ({ stampede: { refreshAhead: ahead, refreshAheadP99Ratio } }) => [
    [
      "refresh-ahead: 4 processes x 250 callers inside the window, one background refresh (50 ms endpoint) (`stampede.refreshAheadP99Ratio`)",
      `burst p99 (median of ${ahead.windows} windows) ${ahead.windowBurstP99Ms} ms; pooled p50 ${ahead.windowP50Ms} ms, p99 ${ahead.windowP99Ms} ms; token calls per window: ${[...new Set(ahead.tokenCallsPerWindow)].join(", ")}; callers given the previous token: ${ahead.servedCurrent} of ${ahead.callers}`,
      `same bursts outside the window, interleaved: burst p99 ${ahead.hotBurstP99Ms} ms; pooled p50 ${ahead.hotP50Ms} ms, p99 ${ahead.hotP99Ms} ms`,
      `burst p99 ${refreshAheadP99Ratio}x the hot path's`,
      "p99 <= 1.2x, one call per window",
    ],
  ],
};

const sleepUntil = (time) => new Promise((resolve) => setTimeout(resolve, Math.max(0, time - Date.now())));

async function measureRefreshAhead(redisUrl) {
  const server = await startAcmeEmulator({ accessTokenTtlSeconds: TOKEN_SECONDS });
  server.fault("token", { kind: "delay", ms: 50 }, Number.POSITIVE_INFINITY);
  const config = { ...benchConfig(redisUrl, server, `bench-${Math.random().toString(36).slice(2, 8)}`), provider: acmeProvider(server, TUNING) };
  const client = await connect(redisUrl);
  const cache = new RedisCache(client);
  const sdk = scenarioSdk(config, { store: new RedisStore(client, { keyPrefix: config.storePrefix }), cache });
  const { id } = await installOAuth(sdk, server, { user_id: "ahead-user", account_id: "acct-ahead" });
  const key = `integration:acme:${id}:app_user:acct-ahead:access_token`;
  const cached = () => readCachedToken({ get: async (name) => (await client.get(name)) ?? undefined }, key, [{ id: "k1", key: config.encryptionKey }]);

  const workers = await startWorkers(4, config);
  const burst = async () => mergeResults(await Promise.all(workers.map((worker) => worker.resolve(id, 250))));
  const hot = [];
  const inWindow = [];
  const hotBursts = [];
  const windowBursts = [];
  const calls = [];
  let servedCurrent = 0;
  let callers = 0;
  const windows = quick ? 3 : 24;
  const warmup = 2;
  for (let window = -warmup; window < windows; window++) {
    const token = await cached();
    if (!token?.issued_at) throw new Error("refresh-ahead bench: no cached token with its issue time");
    await sleepUntil(token.issued_at + HOT_AT_MS);
    const outside = await burst();
    await sleepUntil(token.issued_at + WINDOW_AT_MS);
    const before = server.stats.refreshes;
    const inside = await burst();
    // Let the background refresh land (and nothing else start) before the next window's token is read.
    for (let waited = 0; (await cached())?.access_token === token.access_token && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const merged of [outside, inside]) {
      if (Object.keys(merged.errors).length > 0) throw new Error(`refresh-ahead errors: ${JSON.stringify(merged.errors)}`);
    }
    if (window < 0) continue;
    hot.push(...outside.latencies);
    inWindow.push(...inside.latencies);
    hotBursts.push(percentile(outside.latencies, 99));
    windowBursts.push(percentile(inside.latencies, 99));
    calls.push(server.stats.refreshes - before);
    callers += inside.latencies.length;
    // Callers given the token that was cached when the window opened (none waited for the new one).
    servedCurrent += inside.tokens[fingerprint(token.access_token)] ?? 0;
  }
  await Promise.all(workers.map((worker) => worker.close()));
  await cache.dispose();
  client.disconnect();
  await server.close();
  return {
    processes: 4,
    callersPerProcess: 250,
    windows,
    warmupWindows: warmup,
    tokenCallsPerWindow: calls,
    callers,
    servedCurrent,
    hotP50Ms: round(percentile(hot, 50), 1),
    hotP99Ms: round(percentile(hot, 99), 1),
    windowP50Ms: round(percentile(inWindow, 50), 1),
    windowP99Ms: round(percentile(inWindow, 99), 1),
    hotBurstP99Ms: round(median(hotBursts), 1),
    windowBurstP99Ms: round(median(windowBursts), 1),
  };
}
