// Cost flat in account size: the same operations in an account of 10 integrations and in one of 10,000, on
// RedisStore + RedisCache: createConnection with a new natural key, a rotating Atlassian refresh (rotation written to
// the record and its grant sibling), and one listConnections page. The accounts hold an Atlassian Jira + Confluence
// pair (one grant) and api-key integrations for the rest. Bench scenario `scale`; its figures land in `results.scale`.
import { createSDK, defineApiKeyProvider } from "@sdk/core";
import { startAtlassianSandbox } from "@sdk/provider-atlassian/testing";
import { RedisCache, RedisStore } from "@sdk/storage-redis";
import { ENCRYPTION_KEY, STATE_SECRET, connect, median, quick, round } from "./measure.mjs";

const SIZES = { small: 10, large: 10_000 };
const REPEATS = quick ? 8 : 30;
const FILL_CONCURRENCY = 32;

/** Bench scenario: `results.scale` (each `…Ratio` is the median at 10,000 over the median at 10; target <= 2). */
export const scale = {
  section: "scale",
  progress: "scale: 10 vs 10,000 integrations in one account (RedisStore)…",
  run: ({ redisUrl }) => measureScale(redisUrl),
  record(results, value) {
    results.scale = value;
  },
  rows: ({ scale: figures }) => [
    ["scale: createConnection with a new natural key, account of 10,000 vs 10 integrations (`scale.createConnectionRatio`)", `${figures.createConnection.largeMs} ms`, `${figures.createConnection.smallMs} ms at 10`, `${figures.createConnectionRatio}x`, "<= 2x"],
    ["scale: rotating Atlassian refresh (sibling sync), same accounts (`scale.atlassianRefreshRatio`)", `${figures.atlassianRefresh.largeMs} ms`, `${figures.atlassianRefresh.smallMs} ms at 10`, `${figures.atlassianRefreshRatio}x`, "<= 2x"],
    ["scale: one listConnections page of 10, same accounts (`scale.listPageRatio`)", `${figures.listPage.largeMs} ms`, `${figures.listPage.smallMs} ms at 10`, `${figures.listPageRatio}x`, "<= 2x"],
  ],
};

async function measureScale(redisUrl) {
  const client = await connect(redisUrl);
  const prefix = `scale-${Math.random().toString(36).slice(2, 8)}`;
  const store = new RedisStore(client, { keyPrefix: prefix });
  const cache = new RedisCache(client);
  const keys = [{ id: "k1", key: ENCRYPTION_KEY }];
  const sandbox = await startAtlassianSandbox({ store, cache, encryption: keys });
  const keyed = createSDK({
    store,
    state: { secrets: [{ id: "s1", secret: STATE_SECRET }] },
    encryption: { keys },
    providers: [defineApiKeyProvider({ id: "keyed", naturalKey: ({ metadata }) => (typeof metadata.org === "string" ? metadata.org : null) })],
  });
  let created = 0;
  const createKeyed = (accountId) =>
    keyed.createConnection({ provider: "keyed", account_id: accountId, created_by: "bench-user", metadata: { org: `org-${created++}` }, credentials: { api_key: `key-${created}-0123456789abcdef` } });
  const accounts = {};
  for (const [name, size] of Object.entries(SIZES)) {
    const accountId = `scale-${name}`;
    const jira = await sandbox.connect({ product: "jira", account_id: accountId });
    await sandbox.connect({ product: "confluence", account_id: accountId });
    for (let done = 2; done < size; ) {
      const batch = Math.min(FILL_CONCURRENCY, size - done);
      await Promise.all(Array.from({ length: batch }, () => createKeyed(accountId)));
      done += batch;
    }
    accounts[name] = { accountId, jiraId: jira.id };
  }
  const timed = async (operation) => {
    const started = performance.now();
    await operation();
    return performance.now() - started;
  };
  const operations = {
    createConnection: ({ accountId }) => timed(() => createKeyed(accountId)),
    atlassianRefresh: async ({ jiraId }) => {
      await sandbox.sdk.invalidateConnection(jiraId);
      return timed(() => sandbox.sdk.resolveConnection(jiraId));
    },
    listPage: ({ accountId }) => timed(() => keyed.listConnections({ account_id: accountId, limit: 10 })),
  };
  const refreshesBefore = sandbox.emulator.stats.refreshes;
  const samples = Object.fromEntries(Object.keys(operations).map((name) => [name, { small: [], large: [] }]));
  // Interleaved, after one warm-up of each: a neighbour's burst hits both sizes alike.
  for (let repeat = -1; repeat < REPEATS; repeat++) {
    for (const [name, operation] of Object.entries(operations)) {
      for (const size of ["small", "large"]) {
        const ms = await operation(accounts[size]);
        if (repeat >= 0) samples[name][size].push(ms);
      }
    }
  }
  const refreshes = sandbox.emulator.stats.refreshes - refreshesBefore;
  const listed = await keyed.listConnections({ account_id: accounts.large.accountId, limit: 10 });
  await sandbox.close();
  await cache.dispose();
  client.disconnect();
  const figures = { sizes: SIZES, repeats: REPEATS, refreshes, largePageItems: listed.items.length };
  for (const [name, { small, large }] of Object.entries(samples)) {
    figures[name] = { smallMs: round(median(small)), largeMs: round(median(large)) };
    figures[`${name}Ratio`] = round(median(large) / median(small));
  }
  return figures;
}
