// The same service file in CommonJS, plain JavaScript: require() of every package the ESM file imports.
// Prints one JSON line with what the Slack and Jira installs saw.
const { randomBytes } = require("node:crypto");
const { createSDK } = require("@sdk/core");
const { atlassian } = require("@sdk/provider-atlassian");
const { startAtlassianEmulator } = require("@sdk/provider-atlassian/testing");
const { slack } = require("@sdk/provider-slack");
const { startSlackEmulator } = require("@sdk/provider-slack/testing");
const { failFastRedisOptions, RedisCache, RedisStore } = require("@sdk/storage-redis");
const { Redis } = require("ioredis");

async function main() {
  const prefix = `scratch-cjs-${process.pid}`;
  const redis = new Redis(process.env.REDIS_URL, { ...failFastRedisOptions, lazyConnect: true });
  redis.on("error", (error) => console.error(`redis: ${error.message}`));
  await redis.connect();
  const slackEmulator = await startSlackEmulator({ redirectUris: ["http://localhost:3000/slack/callback"] });
  const atlassianEmulator = await startAtlassianEmulator({ redirectUris: ["http://localhost:3000/atlassian/callback"] });
  const cache = new RedisCache(redis, { keyPrefix: `${prefix}:` });
  const sdk = createSDK({
    store: new RedisStore(redis, { keyPrefix: prefix }),
    cache,
    state: { secrets: [{ id: "s1", secret: randomBytes(32).toString("base64") }] },
    encryption: { keys: [{ id: "k1", key: randomBytes(32).toString("base64") }] },
    providers: [
      slack({ clientId: slackEmulator.clientId, clientSecret: slackEmulator.clientSecret, signingSecret: slackEmulator.signingSecret, redirectUri: "http://localhost:3000/slack/callback", scopes: ["chat:write"], endpoints: slackEmulator.endpoints }),
      atlassian({ clientId: atlassianEmulator.clientId, clientSecret: atlassianEmulator.clientSecret, redirectUri: "http://localhost:3000/atlassian/callback", endpoints: atlassianEmulator.endpoints }),
    ],
  });
  const install = async (provider, consent) => {
    const started = await sdk.buildInstallUrl({ provider, user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await consent(started.url));
    const { integration } = await sdk.handleInstallCallback({ provider, query: back.searchParams, browser_binding: started.browser_binding });
    return sdk.createConnection(integration);
  };
  try {
    const slackConnection = await install("slack", (url) => slackEmulator.consent(url));
    const jiraConnection = await install("jira", (url) => atlassianEmulator.consent(url));
    const authTest = await (await sdk.fetch(slackConnection.id, "/auth.test", { method: "POST" })).json();
    const myself = await (await sdk.fetch(jiraConnection.id, "/rest/api/3/myself")).json();
    const records = (await redis.keys(`{${prefix}}:record:*`)).length;
    const jiraRuntime = await sdk.resolveConnection(jiraConnection.id);
    await sdk.deleteConnection(slackConnection.id);
    await sdk.deleteConnection(jiraConnection.id);
    console.log(JSON.stringify({ slack: authTest, jira: { accountId: myself.accountId, provider: jiraRuntime.provider }, records }));
  } finally {
    await cache.dispose();
    await redis.quit();
    await slackEmulator.close();
    await atlassianEmulator.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
