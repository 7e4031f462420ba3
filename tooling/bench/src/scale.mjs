// Cost flat in account size: the same operations in an account of 10 integrations and in one of 10,000, on
// RedisStore + RedisCache: createConnection with a new natural key, a rotating Atlassian refresh (rotation written to
// the record and its grant sibling), and one listConnections page. The accounts hold an Atlassian Jira + Confluence
// pair (one grant) and api-key integrations for the rest. A second pair of accounts holds that pair beside the Jira
// records of 10 and of 5,000 other Atlassian users (the grant-family lookup of a refresh, and the scope union of the
// pair's SDK user building a Jira install URL). Bench scenario `scale`; its figures land in `results.scale`.
import { createSDK, defineApiKeyProvider } from "@sdk/core";
import { atlassian } from "@sdk/provider-atlassian";
import { startAtlassianSandbox } from "@sdk/provider-atlassian/testing";
import { RedisCache, RedisStore } from "@sdk/storage-redis";
import { ENCRYPTION_KEY, STATE_SECRET, connect, median, quick, round } from "./measure.mjs";

const SIZES = { small: 10, large: 10_000 };
/** Other Atlassian users (one Jira record each) beside the measured pair, per family account. */
const FAMILY_SIZES = { small: 10, large: 5_000 };
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
    ["scale: rotating Atlassian refresh, account with 5,000 other Atlassian users vs 10 (`scale.atlassianFamilyRefreshRatio`)", `${figures.atlassianFamilyRefresh.largeMs} ms`, `${figures.atlassianFamilyRefresh.smallMs} ms at 10`, `${figures.atlassianFamilyRefreshRatio}x`, "<= 2x"],
    ["scale: Jira buildInstallUrl (the installing user's scope union), same family accounts (`scale.atlassianInstallUrlRatio`)", `${figures.atlassianInstallUrl.largeMs} ms`, `${figures.atlassianInstallUrl.smallMs} ms at 10`, `${figures.atlassianInstallUrlRatio}x`, "<= 2x"],
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
  const families = {};
  for (const [name, others] of Object.entries(FAMILY_SIZES)) {
    const accountId = `scale-family-${name}`;
    const jira = await sandbox.connect({ product: "jira", account_id: accountId });
    await sandbox.connect({ product: "confluence", account_id: accountId });
    await writeOtherUsers(store, accountId, others, await store.get(jira.id));
    families[name] = { accountId, jiraId: jira.id };
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
    atlassianFamilyRefresh: async (_, { jiraId }) => {
      await sandbox.sdk.invalidateConnection(jiraId);
      return timed(() => sandbox.sdk.resolveConnection(jiraId));
    },
    atlassianInstallUrl: (_, { accountId }) => timed(() => sandbox.sdk.buildInstallUrl({ provider: "jira", account_id: accountId, user_id: "user-1" })),
  };
  const refreshesBefore = sandbox.emulator.stats.refreshes;
  const samples = Object.fromEntries(Object.keys(operations).map((name) => [name, { small: [], large: [] }]));
  // Interleaved, after one warm-up of each: a neighbour's burst hits both sizes alike.
  for (let repeat = -1; repeat < REPEATS; repeat++) {
    for (const [name, operation] of Object.entries(operations)) {
      for (const size of ["small", "large"]) {
        const ms = await operation(accounts[size], families[size]);
        if (repeat >= 0) samples[name][size].push(ms);
      }
    }
  }
  const refreshes = sandbox.emulator.stats.refreshes - refreshesBefore;
  const listed = await keyed.listConnections({ account_id: accounts.large.accountId, limit: 10 });
  const familyRecords = Object.fromEntries(await Promise.all(Object.entries(families).map(async ([name, { accountId }]) => [name, (await store.list({ account_id: accountId })).length])));
  await sandbox.close();
  await cache.dispose();
  client.disconnect();
  const figures = { sizes: SIZES, familySizes: FAMILY_SIZES, familyRecords, repeats: REPEATS, refreshes, largePageItems: listed.items.length };
  for (const [name, { small, large }] of Object.entries(samples)) {
    figures[name] = { smallMs: round(median(small)), largeMs: round(median(large)) };
    figures[`${name}Ratio`] = round(median(large) / median(small));
  }
  return figures;
}

/**
 * `count` Jira records of other Atlassian users in `accountId`, written straight to the store as 2.0 stores them
 * (their own site, their user's identity and grant key, a sealed refresh token), beside the measured pair: installing
 * 5,000 users through the emulator would measure the install path, not the family lookup of a refresh.
 */
async function writeOtherUsers(store, accountId, count, template) {
  const [jira] = atlassian({ clientId: "bench-client", clientSecret: "bench-client-secret", redirectUri: "https://bench.example.test/callback" });
  const envelope = { v: 1, kid: "k1", iv: "aXYtYmVuY2g", tag: "dGFnLWJlbmNo", ct: "Y3QtYmVuY2g" };
  for (let done = 0; done < count; ) {
    const batch = Math.min(FILL_CONCURRENCY * 4, count - done);
    await Promise.all(
      Array.from({ length: batch }, (_, offset) => {
        const index = done + offset;
        const user = `5b10bench${String(index).padStart(15, "0")}`;
        const metadata = { ...template.metadata, cloud_id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`, atlassian_account_id: user };
        const grantKey = jira.grantKey?.({ metadata, credentials: {} }) ?? null;
        return store.create({
          ...template,
          id: `${accountId}-other-${index}`,
          created_by: `bench-user-${index}`,
          credentials: { refresh_token: envelope },
          metadata,
          natural_key: metadata.cloud_id,
          ...(grantKey === null ? {} : { grant_key: grantKey }),
          version: 1,
        });
      }),
    );
    done += batch;
  }
}
