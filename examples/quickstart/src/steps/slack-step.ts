// Walk-through: Slack on the local Slack emulator — install with bot and user scopes, both token chains cached,
// 12 h expiry, the bot chain refreshed with rotation, chat.postMessage through sdk.fetch, delete with auth.revoke.
import { findSlackConnection, slack } from "@sdk/provider-slack";
import { slackOptionsFor, startSlackEmulator, type SlackEmulator } from "@sdk/provider-slack/testing";
import { mask } from "../trace.js";
import { describeStored } from "./show-stored.js";
import type { Step } from "./step.js";

let emulator: SlackEmulator | undefined;

export const slackStep: Step = {
  title: "Slack: bot + user install, rotation, chat.postMessage, revoke (Slack emulator)",
  proves: "Slack's bot token and the installing user's token are two separate credentials, each refreshed on its own; a message is posted with the bot token; removing the connection revokes both at Slack.",
  async setup(_api, clock) {
    emulator = await startSlackEmulator({ clock, redirectUris: ["http://localhost:3000/callback/slack"] });
    return {
      providers: [slack(slackOptionsFor(emulator, { scopes: ["chat:write"], userScopes: ["chat:write"] }))],
      teardown: () => emulator!.close(),
    };
  },
  async run({ sdk, store, trace, clock }) {
    const slackEmulator = emulator!;
    const install = await sdk.buildInstallUrl({ provider: "slack", user_id: "user-demo", account_id: "acct-demo" });
    const authorize = new URL(install.url);
    trace.step("buildInstallUrl", `scope=${authorize.searchParams.get("scope")} user_scope=${authorize.searchParams.get("user_scope")}`);
    const back = new URL(await slackEmulator.consent(install.url));
    const callback = await sdk.handleInstallCallback({
      provider: "slack",
      code: back.searchParams.get("code")!,
      state: back.searchParams.get("state")!,
      browser_binding: install.browser_binding,
    });
    trace.step("handleInstallCallback", `team ${callback.integration.metadata?.team_name} (${callback.integration.metadata?.team_id}), bot + user token chains`);
    const saved = await sdk.createConnection(callback.integration);
    trace.step("createConnection", `natural key ${saved.natural_key}; stored: ${await describeStored(store, saved.id)}`);
    // A user token belongs to the Slack user who approved it: it is that user's own connection.
    const user = await findSlackConnection(sdk, { account_id: "acct-demo", team_id: String(saved.metadata.team_id), user_id: String(saved.metadata.authed_user_id) });
    trace.step("findSlackConnection", `the installing Slack user's connection: natural key ${user?.natural_key}; stored: ${user ? await describeStored(store, user.id) : "none"}`);

    const first = await sdk.resolveConnection(saved.id);
    const firstUser = await sdk.resolveConnection(user!.id);
    trace.step("resolveConnection", `bot ${mask(first.bot_token as string)}  user ${mask(firstUser.user_token as string)}  ${first.api_base_url}`);

    clock.advance(12 * 3600 * 1000);
    const second = await sdk.resolveConnection(saved.id);
    await sdk.resolveConnection(user!.id);
    trace.step("clock +12h, resolve", `bot and user chains refreshed separately (oauth.v2.access refreshes: ${slackEmulator.stats.refreshes}); bot ${mask(second.bot_token as string)}`);

    const posted = await sdk.fetch(saved.id, "/chat.postMessage", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel: "C0GENERAL1", text: "Hello from the SDK quickstart" }),
    });
    const answer = (await posted.json()) as { ok?: boolean; channel?: string; ts?: string };
    trace.step("sdk.fetch /chat.postMessage", `${posted.status} ok=${answer.ok} channel ${answer.channel} ts ${answer.ts}`);

    const revokedBefore = slackEmulator.stats.revocations;
    await sdk.deleteConnection(user!.id, { revoke: true });
    const deleted = await sdk.deleteConnection(saved.id, { revoke: true });
    trace.step("deleteConnection", `deleted ${deleted.deleted}; auth.revoke called for ${slackEmulator.stats.revocations - revokedBefore} tokens`, "disconnecting also tells Slack, so the tokens stop working there too.");
  },
};
