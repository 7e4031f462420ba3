// Bench scenario `slack`: token-endpoint calls per expiry for 100 concurrent resolves, this SDK against
// @slack/oauth's InstallProvider.authorize() on the same Slack emulator. Only measures; prints nothing.
import { join } from "node:path";
import { createSDK, MemoryStore } from "@sdk/core";
import { slack as slackProvider } from "@sdk/provider-slack";
import { startSlackEmulator } from "@sdk/provider-slack/testing";
import { RedisCache } from "@sdk/storage-redis";
import { REDIRECT_URI } from "@sdk-tooling/reliability/acme-kit";
import { InstallProvider } from "@slack/oauth";
import { ENCRYPTION_KEY, STATE_SECRET, benchDir, connect, readPackage, round } from "./measure.mjs";

/** Bench scenario: `results.slack`. */
export const tokenCallsPerExpiry = {
  section: "slack",
  progress: "token calls per expiry vs @slack/oauth…",
  run: ({ redisUrl }) => slackComparison(redisUrl),
  record(results, value) {
    results.slack = value;
  },
  rows: ({ slack }) => [
    ["token-endpoint calls per expiry, 100 concurrent resolves (Slack emulator)", `this SDK: ${slack.sdk.tokenCallsPerExpiry} (${slack.sdk.callersWithoutTheCurrentToken} callers without the current token)`, `@slack/oauth ${slack.slackOauth.version} authorize(): ${slack.slackOauth.tokenCallsPerExpiry} (${slack.slackOauth.callersWithoutTheCurrentToken} callers got an expired token)`, `${round(slack.slackOauth.tokenCallsPerExpiry / slack.sdk.tokenCallsPerExpiry, 0)}x fewer`, "—"],
  ],
};

async function slackComparison(redisUrl) {
  const workspaces = [
    { id: "T0BENCH001", name: "Bench One", domain: "bench-one" },
    { id: "T0BENCH002", name: "Bench Two", domain: "bench-two" },
  ];
  const emulator = await startSlackEmulator({ redirectUris: [REDIRECT_URI], workspaces });
  const { endpoints } = emulator;
  const expiries = 5;
  const concurrency = 100;

  // This SDK: @sdk/provider-slack on the emulator's endpoints, RedisCache + MemoryStore, one process.
  const client = await connect(redisUrl);
  const cache = new RedisCache(client);
  const sdk = createSDK({
    store: new MemoryStore(),
    cache,
    state: { secrets: [{ id: "s1", secret: STATE_SECRET }] },
    encryption: { keys: [{ id: "k1", key: ENCRYPTION_KEY }] },
    providers: [slackProvider({ clientId: emulator.clientId, clientSecret: emulator.clientSecret, redirectUri: REDIRECT_URI, scopes: ["chat:write"], endpoints })],
  });
  const started = await sdk.buildInstallUrl({ provider: "slack", user_id: "U0INSTALLER", account_id: "acct-slack" });
  const back = new URL(await emulator.consent(started.url, { team: "T0BENCH001" }));
  const callback = await sdk.handleInstallCallback({ provider: "slack", code: back.searchParams.get("code"), state: back.searchParams.get("state"), browser_binding: started.browser_binding });
  const id = (await sdk.createConnection(callback.integration)).id;
  const key = `integration:slack:${id}:app_user:acct-slack:access_token`;
  const ours = { calls: [], errors: 0, stale: 0 };
  for (let expiry = 0; expiry < expiries; expiry++) {
    await cache.delete(key);
    const before = emulator.stats.tokenCalls;
    const results = await Promise.allSettled(Array.from({ length: concurrency }, () => sdk.resolveConnection(id)));
    ours.calls.push(emulator.stats.tokenCalls - before);
    // The cached value is sealed (the default with keys): the token the cache now holds is read through the SDK.
    const current = (await sdk.resolveConnection(id)).access_token;
    for (const result of results) {
      if (result.status === "rejected") ours.errors += 1;
      else if (result.value.access_token !== current) ours.stale += 1;
    }
  }
  await cache.dispose();
  client.disconnect();

  // @slack/oauth: InstallProvider.authorize with token rotation, an in-memory InstallationStore, same emulator.
  const authorizeUrl = `${endpoints.authorizeUrl}?client_id=${emulator.clientId}&scope=chat:write&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&state=bench`;
  const code = new URL(await emulator.consent(authorizeUrl, { team: "T0BENCH002" })).searchParams.get("code");
  const exchange = await (
    await fetch(endpoints.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: emulator.clientId, client_secret: emulator.clientSecret, code, redirect_uri: REDIRECT_URI }),
    })
  ).json();
  let installation = {
    team: exchange.team,
    enterprise: undefined,
    isEnterpriseInstall: false,
    appId: exchange.app_id,
    authVersion: "v2",
    tokenType: "bot",
    user: { id: exchange.authed_user.id, token: undefined, scopes: undefined },
    bot: { token: exchange.access_token, refreshToken: exchange.refresh_token, expiresAt: Math.floor(Date.now() / 1000) + exchange.expires_in, scopes: exchange.scope.split(","), id: "B0BENCH", userId: exchange.bot_user_id },
  };
  const installationStore = {
    storeInstallation: async (value) => void (installation = structuredClone(value)),
    fetchInstallation: async () => structuredClone(installation),
    deleteInstallation: async () => undefined,
  };
  const silent = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => "error", setName() {} };
  const installer = new InstallProvider({
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    stateSecret: STATE_SECRET,
    installationStore,
    logger: silent,
    clientOptions: { slackApiUrl: `${endpoints.apiBaseUrl}/`, logger: silent, retryConfig: { retries: 0 } },
  });
  const slack = { calls: [], errors: 0, stale: 0 };
  for (let expiry = 0; expiry < expiries; expiry++) {
    installation.bot.expiresAt = Math.floor(Date.now() / 1000);
    const before = emulator.stats.tokenCalls;
    const results = await Promise.allSettled(Array.from({ length: concurrency }, () => installer.authorize({ teamId: "T0BENCH002", isEnterpriseInstall: false })));
    slack.calls.push(emulator.stats.tokenCalls - before);
    for (const result of results) {
      if (result.status === "rejected") slack.errors += 1;
      // A caller whose refresh was refused gets the expired token back from authorize() without an error.
      else if (result.value.botToken !== installation.bot.token) slack.stale += 1;
    }
  }
  await emulator.close();
  const perExpiry = (calls) => round(calls.reduce((sum, count) => sum + count, 0) / calls.length, 1);
  return {
    concurrency,
    expiries,
    sdk: { tokenCallsPerExpiry: perExpiry(ours.calls), errors: ours.errors, callersWithoutTheCurrentToken: ours.stale },
    slackOauth: { version: readPackage(join(benchDir, "node_modules/@slack/oauth")).version, tokenCallsPerExpiry: perExpiry(slack.calls), errors: slack.errors, callersWithoutTheCurrentToken: slack.stale },
  };
}
