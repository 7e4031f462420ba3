import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CALLBACK, slackTestClient } from "./slack-test-client.js";
import { startSlackEmulator, type SlackEmulator, type SlackEmulatorOptions } from "./start-slack-emulator.js";

let emulator: SlackEmulator;
let client: ReturnType<typeof slackTestClient>;

async function start(options: Partial<SlackEmulatorOptions> = {}) {
  await emulator?.close();
  emulator = await startSlackEmulator({ redirectUris: [CALLBACK], ...options });
  client = slackTestClient(emulator);
}

/** Installs with bot and user scopes and returns both chains' tokens. */
async function installBoth() {
  const body = await client.install({ scope: "chat:write", user_scope: "chat:write,search:read" }, { user: "U0ALICE001" });
  const user = body.authed_user as Record<string, string>;
  return { bot: { access: body.access_token as string, refresh: body.refresh_token as string }, user: { access: user.access_token!, refresh: user.refresh_token! } };
}

const authTest = (token: string) => client.api("auth.test", token).then((answer) => answer.body);

beforeEach(() => start());
afterEach(() => emulator.close());

describe("token rotation", () => {
  it("lets access tokens expire after 43200 s", async () => {
    const { bot } = await installBoth();
    emulator.clock.advance(43_199_999);
    expect((await authTest(bot.access)).ok).toBe(true);
    emulator.clock.advance(1);
    expect(await authTest(bot.access)).toEqual({ ok: false, error: "token_expired" });
  });

  it("refreshes the bot chain: new access and refresh token, the current access token stays live", async () => {
    const { bot } = await installBoth();
    const answer = await client.refresh(bot.refresh);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      ok: true,
      app_id: "A0EMULATOR1",
      authed_user: { id: "U0ALICE001" },
      scope: "chat:write",
      token_type: "bot",
      access_token: expect.stringMatching(/^xoxe\.xoxb-1-/),
      expires_in: 43200,
      refresh_token: expect.stringMatching(/^xoxe-1-/),
      bot_user_id: expect.stringMatching(/^U0BOT/),
      team: { id: "T0ACME0001", name: "Acme" },
      enterprise: null,
      is_enterprise_install: false,
    });
    expect(answer.body.access_token).not.toBe(bot.access);
    expect(answer.body.refresh_token).not.toBe(bot.refresh);
    expect((await authTest(bot.access)).ok).toBe(true);
    expect((await authTest(answer.body.access_token as string)).ok).toBe(true);
  });

  it("refreshes the user chain with the user token at the top level and token_type user", async () => {
    const { user } = await installBoth();
    const answer = await client.refresh(user.refresh);
    expect(answer.body).toMatchObject({ ok: true, token_type: "user", scope: "chat:write,search:read", authed_user: { id: "U0ALICE001" }, access_token: expect.stringMatching(/^xoxe\.xoxp-1-/) });
    expect(answer.body).not.toHaveProperty("bot_user_id");
    expect(await authTest(answer.body.access_token as string)).toMatchObject({ ok: true, user_id: "U0ALICE001" });
  });

  it("keeps the bot and user chains apart", async () => {
    const { bot, user } = await installBoth();
    await client.refresh(bot.refresh);
    const botChain = emulator.chain(bot.access)!;
    const userChain = emulator.chain(user.access)!;
    expect(botChain.id).toBe("bot:T0ACME0001");
    expect(userChain.id).toBe("user:T0ACME0001:U0ALICE001");
    expect(emulator.stats.refreshesByChain).toEqual({ "bot:T0ACME0001": 1 });
    expect(userChain.refreshToken).toBe(user.refresh);
    expect((await client.refresh(user.refresh)).body.ok).toBe(true);
    expect(emulator.stats.refreshes).toBe(2);
    expect(emulator.stats.refreshesByChain).toEqual({ "bot:T0ACME0001": 1, "user:T0ACME0001:U0ALICE001": 1 });
    expect(emulator.chains().map((chain) => chain.id).sort()).toEqual(["bot:T0ACME0001", "user:T0ACME0001:U0ALICE001"]);
  });

  it("keeps at most 2 live access tokens per chain, revoking the oldest", async () => {
    const { bot } = await installBoth();
    const second = (await client.refresh(bot.refresh)).body;
    const third = (await client.refresh(second.refresh_token as string)).body;
    expect(await authTest(bot.access)).toEqual({ ok: false, error: "token_revoked" });
    expect((await authTest(second.access_token as string)).ok).toBe(true);
    expect(emulator.chain(bot.access)!.liveAccessTokens).toEqual([second.access_token, third.access_token]);
    expect(emulator.stats.evictions).toBe(1);
  });

  it("honours maxLiveAccessTokens", async () => {
    await start({ maxLiveAccessTokens: 1 });
    const { bot } = await installBoth();
    const next = (await client.refresh(bot.refresh)).body;
    expect(await authTest(bot.access)).toEqual({ ok: false, error: "token_revoked" });
    expect(emulator.chain(bot.access)!.liveAccessTokens).toEqual([next.access_token]);
  });

  it("rejects a rotated-out refresh token at once by default (grace 0)", async () => {
    const { bot } = await installBoth();
    const next = (await client.refresh(bot.refresh)).body;
    expect((await client.refresh(bot.refresh)).body).toEqual({ ok: false, error: "invalid_refresh_token" });
    expect(emulator.stats.reuseDetected).toBe(1);
    expect((await client.refresh(next.refresh_token as string)).body.ok).toBe(true);
  });

  it("accepts a rotated-out refresh token inside refreshGraceMs, not after", async () => {
    await start({ refreshGraceMs: 30_000 });
    const { bot } = await installBoth();
    await client.refresh(bot.refresh);
    emulator.clock.advance(29_999);
    const inGrace = await client.refresh(bot.refresh);
    expect(inGrace.body).toMatchObject({ ok: true, refresh_token: expect.stringMatching(/^xoxe-1-/) });
    emulator.clock.advance(1);
    expect((await client.refresh(bot.refresh)).body).toEqual({ ok: false, error: "invalid_refresh_token" });
    expect(emulator.stats.reuseDetected).toBe(2);
    expect((await client.refresh(inGrace.body.refresh_token as string)).body.ok).toBe(true);
  });

  it("rejects an unknown refresh token and counts no refresh", async () => {
    await installBoth();
    expect((await client.refresh("xoxe-1-unknown")).body).toEqual({ ok: false, error: "invalid_refresh_token" });
    expect((await client.access({ grant_type: "refresh_token" })).body).toEqual({ ok: false, error: "invalid_refresh_token" });
    expect(emulator.stats.refreshes).toBe(0);
    expect(emulator.stats.tokenCalls).toBe(3);
  });

  it("a reinstall issues a new token into the same chain and rotates its refresh token", async () => {
    const { bot } = await installBoth();
    const again = await client.install({ scope: "chat:write" });
    expect(again.access_token).not.toBe(bot.access);
    expect(emulator.chain(bot.access)!.id).toBe(emulator.chain(again.access_token as string)!.id);
    expect((await client.refresh(bot.refresh)).body).toEqual({ ok: false, error: "invalid_refresh_token" });
    expect((await client.refresh(again.refresh_token as string)).body.ok).toBe(true);
  });
});

describe("revocation", () => {
  it("auth.revoke with rotation revokes that one token and keeps the install", async () => {
    const { bot } = await installBoth();
    const next = (await client.refresh(bot.refresh)).body;
    expect((await client.api("auth.revoke", bot.access)).body).toEqual({ ok: true, revoked: true });
    expect(await authTest(bot.access)).toEqual({ ok: false, error: "token_revoked" });
    expect((await authTest(next.access_token as string)).ok).toBe(true);
    expect((await client.refresh(next.refresh_token as string)).body.ok).toBe(true);
    expect(emulator.stats.revocations).toBe(1);
  });

  it("auth.revoke in test mode revokes nothing", async () => {
    const { bot } = await installBoth();
    expect((await client.api("auth.revoke", bot.access, { test: "1" }, false)).body).toEqual({ ok: true, revoked: false });
    expect((await client.api("auth.revoke", bot.access, { test: "true" })).body).toEqual({ ok: true, revoked: false });
    expect((await authTest(bot.access)).ok).toBe(true);
    expect(emulator.stats.revocations).toBe(0);
  });

  it("auth.revoke without rotation removes the authorization behind the token", async () => {
    await start({ tokenRotation: false });
    const first = await client.install({ scope: "chat:write", user_scope: "search:read" });
    const botToken = first.access_token as string;
    const userToken = (first.authed_user as Record<string, string>).access_token!;
    expect((await client.api("auth.revoke", botToken)).body).toEqual({ ok: true, revoked: true });
    expect(await authTest(botToken)).toEqual({ ok: false, error: "token_revoked" });
    expect((await authTest(userToken)).ok).toBe(true);
    // The bot's grant is gone: a new install starts the bot from no scopes and gets a new token.
    const again = await client.install({ scope: "channels:read", user_scope: "users:read" });
    expect(again.scope).toBe("channels:read");
    expect(again.access_token).not.toBe(botToken);
    expect((again.authed_user as Record<string, unknown>).scope).toBe("search:read,users:read");
    await client.api("auth.revoke", userToken);
    expect(await authTest(userToken)).toEqual({ ok: false, error: "token_revoked" });
    const third = await client.install({ scope: "channels:read", user_scope: "chat:write" });
    expect((third.authed_user as Record<string, unknown>).scope).toBe("chat:write");
    expect(third.access_token).toBe(again.access_token);
  });

  it("revokeInstall uninstalls: tokens answer token_revoked and refresh tokens stop working", async () => {
    const { bot, user } = await installBoth();
    expect(emulator.revokeInstall("T0ACME0001")).toBe(true);
    expect(await authTest(bot.access)).toEqual({ ok: false, error: "token_revoked" });
    expect(await authTest(user.access)).toEqual({ ok: false, error: "token_revoked" });
    expect((await client.refresh(user.refresh)).body).toEqual({ ok: false, error: "invalid_refresh_token" });
    expect(emulator.chains().every((chain) => chain.revoked && chain.liveAccessTokens.length === 0)).toBe(true);
    expect(emulator.revokeInstall("T0ACME0001")).toBe(false);
    const fresh = await client.install({ scope: "channels:read" });
    expect(fresh.scope).toBe("channels:read");
  });

  it("expireToken makes one access token expire now", async () => {
    const { bot, user } = await installBoth();
    expect(emulator.expireToken(bot.access)).toBe(true);
    expect(await authTest(bot.access)).toEqual({ ok: false, error: "token_expired" });
    expect((await authTest(user.access)).ok).toBe(true);
    expect(emulator.expireToken("xoxe.xoxb-1-nothing")).toBe(false);
  });
});
