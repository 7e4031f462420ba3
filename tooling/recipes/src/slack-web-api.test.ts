// The @slack/web-api recipe of packages/provider-slack/README.md ("API clients"), run against the Slack emulator.
// The connection chooses the token chain: the workspace's connection (`team:T`) calls as the bot, a Slack user's
// connection (`team:T:user:U`, found with findSlackConnection) calls as that user.
import { randomBytes } from "node:crypto";
import { createSDK, MemoryCache, MemoryStore, type SDK } from "@sdk/core";
import { findSlackConnection, slack } from "@sdk/provider-slack";
import { installSlack, slackOptionsFor, startSlackEmulator, type SlackEmulator } from "@sdk/provider-slack/testing";
import { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

let emulator: SlackEmulator;
let sdk: SDK;
let botId: string;
let userId: string;
let apiBaseUrl: string;

beforeEach(async () => {
  emulator = await startSlackEmulator({ redirectUris: ["http://localhost:3000/slack/callback"] });
  sdk = createSDK({
    store: new MemoryStore(),
    cache: new MemoryCache({ now: emulator.clock.now }),
    now: emulator.clock.now,
    state: { secrets: [{ id: "recipes", secret: randomBytes(32).toString("base64") }] },
    encryption: { keys: [{ id: "recipes", key: randomBytes(32).toString("base64") }] },
    providers: [slack(slackOptionsFor(emulator, { scopes: ["chat:write"], userScopes: ["chat:write"] }))],
  });
  const workspace = await installSlack(sdk, emulator, { account_id: "acct-1", user_id: "user-1", consent: { user: "U0ALICE001" } });
  const alice = await findSlackConnection(sdk, { account_id: "acct-1", team_id: "T0ACME0001", user_id: "U0ALICE001" });
  botId = workspace.id;
  userId = alice!.id;
  apiBaseUrl = (await sdk.resolveConnection(botId)).api_base_url!;
});
afterEach(() => emulator.close());

/** README recipe; `slackApiUrl` only because the emulator is not https://slack.com/api/. */
function webClient(connectionId: string): WebClient {
  return new WebClient(undefined, { fetch: sdk.fetcher(connectionId), slackApiUrl: `${apiBaseUrl}/` });
}

describe("@slack/web-api on sdk.fetcher(id)", () => {
  it("auth.test through the workspace's connection answers as the bot, through Alice's as Alice", async () => {
    const asBot = await webClient(botId).auth.test();
    expect(asBot).toMatchObject({ ok: true, team_id: "T0ACME0001", bot_id: expect.stringMatching(/^B0/) });
    const asAlice = await webClient(userId).auth.test();
    expect(asAlice).toMatchObject({ ok: true, team_id: "T0ACME0001", user_id: "U0ALICE001" });
    expect(asAlice.bot_id).toBeUndefined();
    expect(asBot.user_id).not.toBe("U0ALICE001");
  });

  it("the connection decides, not a token passed to the method: the SDK sets Authorization itself", async () => {
    const aliceToken = (await sdk.resolveConnection(userId)).access_token as string;
    const answer = await webClient(botId).auth.test({ token: aliceToken });
    expect(answer.bot_id).toMatch(/^B0/);
  });

  it("posts as the bot or as the user, and keeps working after both tokens rotated", async () => {
    await webClient(botId).chat.postMessage({ channel: "C0GENERAL1", text: "from the bot" });
    emulator.clock.advance(13 * 3600_000);
    await webClient(userId).chat.postMessage({ channel: "C0GENERAL1", text: "from Alice" });
    await webClient(botId).chat.postMessage({ channel: "C0GENERAL1", text: "bot, rotated" });
    expect(emulator.messages.map((message) => [message.text, message.chainId])).toEqual([
      ["from the bot", "bot:T0ACME0001"],
      ["from Alice", expect.stringMatching(/^user:.*U0ALICE001/)],
      ["bot, rotated", "bot:T0ACME0001"],
    ]);
  });

  it("an unknown method is Slack's unknown_method error, not an HTTP failure", async () => {
    await expect(webClient(botId).apiCall("nothing.here")).rejects.toMatchObject({ code: "slack_webapi_platform_error", data: { ok: false, error: "unknown_method" } });
  });
});
