// Bench scenario `refreshDue`: one keep-alive sweep (sdk.refreshDue, pages of 500, 16 refreshes in flight) over
// 10,000 due OAuth connections on RedisStore + RedisCache against the RFC 6749 emulator: refreshes/s and token calls
// (which must equal the due grants), against direct refresh calls to the same emulator at the same concurrency.
import { installOAuth } from "@sdk/oauth/testing";
import { RedisCache, RedisStore } from "@sdk/storage-redis";
import { REDIRECT_URI, scenarioSdk, startAcmeEmulator } from "@sdk-tooling/reliability/acme-kit";
import { benchConfig, connect, directTokenClient, quick, round } from "./measure.mjs";

const CONCURRENCY = 16;
const PAGE = 500;

/** Bench scenario: `results.refreshDue`. */
export const refreshDue = {
  section: "refreshDue",
  progress: "refreshDue: 10,000 due connections against the emulator…",
  run: ({ redisUrl }) => measureRefreshDue(redisUrl),
  record(results, value) {
    results.refreshDue = value;
  },
  rows: ({ refreshDue: sweep }) => [
    [
      `keep-alive: \`sdk.refreshDue\` over ${sweep.due.toLocaleString("en")} due connections, RedisStore + RedisCache, emulator, ${sweep.concurrency} in flight (\`refreshDue\`)`,
      `${sweep.refreshesPerSecond.toLocaleString("en")} refreshes/s (${sweep.seconds} s); token calls ${sweep.tokenCalls.toLocaleString("en")} = due grants ${sweep.due.toLocaleString("en")}`,
      `direct refresh calls to the emulator, ${sweep.concurrency} in flight: ${sweep.directPerSecond.toLocaleString("en")}/s`,
      `${round(sweep.refreshesPerSecond / sweep.directPerSecond)}x`,
      "token calls = due grants",
    ],
  ],
};

async function measureRefreshDue(redisUrl) {
  const due = quick ? 1000 : 10_000;
  const server = await startAcmeEmulator();
  const config = benchConfig(redisUrl, server, `due-${Math.random().toString(36).slice(2, 8)}`);
  const client = await connect(redisUrl);
  const cache = new RedisCache(client);
  const sdk = scenarioSdk(config, { store: new RedisStore(client, { keyPrefix: config.storePrefix }), cache });
  for (let next = 0; next < due; ) {
    const batch = [];
    for (let lane = 0; lane < CONCURRENCY && next < due; lane++, next++) batch.push(installOAuth(sdk, server, { user_id: `due-user-${next}`, account_id: `acct-${next % 500}` }));
    await Promise.all(batch);
  }

  // Baseline: the emulator's own refresh rate at the same concurrency, on grants of its own.
  const direct = directTokenClient(server, REDIRECT_URI);
  const lanes = await Promise.all(Array.from({ length: CONCURRENCY }, (_, lane) => direct.grant(`direct-${lane}`)));
  const directCalls = Math.min(due, 2000);
  let issued = 0;
  const directStarted = performance.now();
  await Promise.all(
    lanes.map(async (token) => {
      let refreshToken = token;
      while (issued < directCalls) {
        issued += 1;
        refreshToken = await direct.refresh(refreshToken);
      }
    }),
  );
  const directPerSecond = Math.round(issued / ((performance.now() - directStarted) / 1000));

  // Every access token lives an hour: a two-hour window makes every connection due.
  const before = server.stats.refreshes;
  const totals = { refreshed: 0, skipped: 0, failed: 0, examined: 0 };
  const started = performance.now();
  let cursor = null;
  do {
    const page = await sdk.refreshDue({ within: 2 * 3600_000, limit: PAGE, concurrency: CONCURRENCY, ...(cursor ? { cursor } : {}) });
    for (const field of Object.keys(totals)) totals[field] += page[field];
    cursor = page.cursor;
  } while (cursor);
  const seconds = (performance.now() - started) / 1000;
  const tokenCalls = server.stats.refreshes - before;
  await sdk.close();
  await cache.dispose();
  client.disconnect();
  await server.close();
  if (totals.failed > 0 || totals.refreshed !== due) throw new Error(`refreshDue sweep: ${JSON.stringify(totals)}`);
  return { due, concurrency: CONCURRENCY, pageSize: PAGE, ...totals, tokenCalls, seconds: round(seconds, 1), refreshesPerSecond: Math.round(totals.refreshed / seconds), directPerSecond };
}
