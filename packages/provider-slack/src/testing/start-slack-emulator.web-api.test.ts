import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CALLBACK, slackTestClient } from "./slack-test-client.js";
import { startSlackEmulator, type SlackEmulator } from "./start-slack-emulator.js";

let emulator: SlackEmulator;
let client: ReturnType<typeof slackTestClient>;

beforeEach(async () => {
  emulator = await startSlackEmulator({ redirectUris: [CALLBACK], appName: "Deploy Bot" });
  client = slackTestClient(emulator);
});
afterEach(() => emulator.close());

describe("auth.test", () => {
  it("describes a bot token", async () => {
    const body = await client.install({ scope: "chat:write" });
    const answer = await client.api("auth.test", body.access_token as string);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      ok: true,
      url: "https://acme.slack.com/",
      team: "Acme",
      user: "deploy_bot",
      team_id: "T0ACME0001",
      user_id: body.bot_user_id,
      bot_id: expect.stringMatching(/^B0/),
      is_enterprise_install: false,
    });
  });

  it("describes a user token in an Enterprise Grid workspace and an org-wide token", async () => {
    const inWorkspace = await client.install({ scope: "", user_scope: "search:read" }, { team: "T0GRID0001", user: "W0BOB00001" });
    const userToken = (inWorkspace.authed_user as Record<string, string>).access_token!;
    expect((await client.api("auth.test", userToken)).body).toEqual({
      ok: true,
      url: "https://grid-sales.slack.com/",
      team: "Grid Sales",
      user: "w0bob00001",
      team_id: "T0GRID0001",
      user_id: "W0BOB00001",
      enterprise_id: "E0GRID0001",
      is_enterprise_install: false,
    });
    const org = await client.install({ scope: "chat:write" }, { team: "E0GRID0001" });
    expect((await client.api("auth.test", org.access_token as string)).body).toMatchObject({
      ok: true,
      url: "https://grid-org.enterprise.slack.com/",
      team_id: "E0GRID0001",
      enterprise_id: "E0GRID0001",
      is_enterprise_install: true,
    });
  });

  it("takes the token as a form POST parameter too, but not from a JSON body", async () => {
    const body = await client.install({ scope: "chat:write" });
    expect((await client.api("auth.test", undefined, { token: body.access_token as string }, false)).body.ok).toBe(true);
    expect((await client.api("auth.test", undefined, { token: body.access_token as string })).body).toEqual({ ok: false, error: "not_authed" });
  });

  it("answers not_authed without a token and invalid_auth for an unknown one, with HTTP 200", async () => {
    const missing = await client.api("auth.test", undefined);
    expect(missing.status).toBe(200);
    expect(missing.body).toEqual({ ok: false, error: "not_authed" });
    expect((await client.api("auth.test", "xoxe.xoxb-1-forged")).body).toEqual({ ok: false, error: "invalid_auth" });
    expect(emulator.stats.apiCalls).toBe(2);
  });

  it("does not take a refresh token as an access token", async () => {
    const body = await client.install({ scope: "chat:write" });
    expect((await client.api("auth.test", body.refresh_token as string)).body).toEqual({ ok: false, error: "invalid_auth" });
  });
});

describe("chat.postMessage", () => {
  it("posts with a bot token that has chat:write, by channel id or name, JSON or form", async () => {
    const body = await client.install({ scope: "chat:write" });
    const token = body.access_token as string;
    emulator.clock.advance(90_500);
    const seconds = Math.floor(emulator.clock.now() / 1000);
    const answer = await client.api("chat.postMessage", token, { channel: "C0GENERAL1", text: "deployed" });
    expect(answer.body).toEqual({
      ok: true,
      channel: "C0GENERAL1",
      ts: `${seconds}.000001`,
      message: { type: "message", text: "deployed", user: body.bot_user_id, ts: `${seconds}.000001`, bot_id: expect.stringMatching(/^B0/), app_id: "A0EMULATOR1" },
    });
    const byName = await client.api("chat.postMessage", token, { channel: "#random", text: "again" }, false);
    expect(byName.body).toMatchObject({ ok: true, channel: "C0RANDOM01", ts: expect.stringMatching(/\.000002$/) });
    expect(emulator.messages.map((message) => [message.channel, message.text, message.chainId])).toEqual([
      ["C0GENERAL1", "deployed", "bot:T0ACME0001"],
      ["C0RANDOM01", "again", "bot:T0ACME0001"],
    ]);
  });

  it("posts as the user with a user token that has chat:write", async () => {
    const body = await client.install({ scope: "", user_scope: "chat:write" }, { user: "U0ALICE001" });
    const token = (body.authed_user as Record<string, string>).access_token!;
    const answer = await client.api("chat.postMessage", token, { channel: "general", text: "hi" });
    expect(answer.body).toMatchObject({ ok: true, message: { user: "U0ALICE001" } });
    expect(answer.body.message).not.toHaveProperty("bot_id");
  });

  it("answers missing_scope with needed and provided", async () => {
    const body = await client.install({ scope: "channels:read", user_scope: "chat:write" });
    expect((await client.api("chat.postMessage", body.access_token as string, { channel: "C0GENERAL1", text: "x" })).body).toEqual({
      ok: false,
      error: "missing_scope",
      needed: "chat:write",
      provided: "channels:read",
    });
    expect(emulator.messages).toEqual([]);
  });

  it("answers channel_not_found and no_text", async () => {
    const token = (await client.install({ scope: "chat:write" })).access_token as string;
    expect((await client.api("chat.postMessage", token, { channel: "C0NOWHERE1", text: "x" })).body).toEqual({ ok: false, error: "channel_not_found" });
    expect((await client.api("chat.postMessage", token, { text: "x" })).body).toEqual({ ok: false, error: "channel_not_found" });
    expect((await client.api("chat.postMessage", token, { channel: "C0GENERAL1" })).body).toEqual({ ok: false, error: "no_text" });
  });

  it.each([
    ["no token", () => undefined, "not_authed"],
    ["an unknown token", () => "xoxb-1-2-forged", "invalid_auth"],
  ])("answers %s with its error", async (_, token, error) => {
    expect((await client.api("chat.postMessage", token(), { channel: "C0GENERAL1", text: "x" })).body).toEqual({ ok: false, error });
  });

  it("answers token_expired and token_revoked", async () => {
    const token = (await client.install({ scope: "chat:write" })).access_token as string;
    emulator.clock.advance(43_200_000);
    expect((await client.api("chat.postMessage", token, { channel: "C0GENERAL1", text: "x" })).body).toEqual({ ok: false, error: "token_expired" });
    const fresh = (await client.install({ scope: "chat:write" })).access_token as string;
    emulator.revokeInstall("T0ACME0001");
    expect((await client.api("chat.postMessage", fresh, { channel: "C0GENERAL1", text: "x" })).body).toEqual({ ok: false, error: "token_revoked" });
  });
});

describe("a method the emulator does not serve", () => {
  it("answers HTTP 200 unknown_method, as Slack does, on GET and POST", async () => {
    const body = await client.install({ scope: "chat:write" });
    const posted = await client.api("conversations.lisst", body.access_token as string);
    expect([posted.status, posted.body]).toEqual([200, { ok: false, error: "unknown_method", req_method: "conversations.lisst" }]);
    const got = await fetch(`${emulator.endpoints.apiBaseUrl}/users.info?user=U1`);
    expect([got.status, await got.json()]).toEqual([200, { ok: false, error: "unknown_method", req_method: "users.info" }]);
  });
});
