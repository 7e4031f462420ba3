// A service's first file against the published tarballs, as a TypeScript team writes it: strict, NodeNext, ESM.
// One Slack and one Jira install against the emulators of the packages' /testing entries, records and tokens in
// Redis through the ioredis this project installed (5 or 6); prints what it saw as one JSON line.
import { randomBytes } from "node:crypto";
import { createSDK } from "@sdk/core";
import { atlassian } from "@sdk/provider-atlassian";
import { startAtlassianEmulator } from "@sdk/provider-atlassian/testing";
import { slack } from "@sdk/provider-slack";
import { startSlackEmulator } from "@sdk/provider-slack/testing";
import { failFastRedisOptions, RedisCache, RedisStore } from "@sdk/storage-redis";
import { Redis } from "ioredis";

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) throw new Error("REDIS_URL is not set");
const prefix = `scratch-esm-${process.pid}`;

const redis = new Redis(REDIS_URL, { ...failFastRedisOptions, lazyConnect: true });
redis.on("error", (error: Error) => console.error(`redis: ${error.message}`));
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
    slack({
      clientId: slackEmulator.clientId,
      clientSecret: slackEmulator.clientSecret,
      signingSecret: slackEmulator.signingSecret,
      redirectUri: "http://localhost:3000/slack/callback",
      scopes: ["chat:write"],
      endpoints: slackEmulator.endpoints,
    }),
    atlassian({
      clientId: atlassianEmulator.clientId,
      clientSecret: atlassianEmulator.clientSecret,
      redirectUri: "http://localhost:3000/atlassian/callback",
      endpoints: atlassianEmulator.endpoints,
    }),
  ],
});

/** Install URL -> the emulator's consent page -> the callback's whole query -> a stored connection. */
async function install(provider: "slack" | "jira", consent: (url: string) => Promise<string>) {
  const started = await sdk.buildInstallUrl({ provider, user_id: "user-1", account_id: "acct-1" });
  const back = new URL(await consent(started.url));
  const { integration } = await sdk.handleInstallCallback({ provider, query: back.searchParams, browser_binding: started.browser_binding });
  return sdk.createConnection(integration);
}

/** Never called: the registered provider ids are a type, so a typo is a compile error (tsc fails on an unused directive). */
export function typoInProviderId() {
  // @ts-expect-error "slakc" is not one of the registered ids ("slack" | "jira" | "jsm" | "confluence")
  return sdk.buildInstallUrl({ provider: "slakc", user_id: "user-1", account_id: "acct-1" });
}

try {
  const slackConnection = await install("slack", (url) => slackEmulator.consent(url));
  const jiraConnection = await install("jira", (url) => atlassianEmulator.consent(url));
  const authTest = (await (await sdk.fetch(slackConnection.id, "/auth.test", { method: "POST" })).json()) as { ok: boolean; team_id?: string };
  const myself = (await (await sdk.fetch(jiraConnection.id, "/rest/api/3/myself")).json()) as { accountId?: string };
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
