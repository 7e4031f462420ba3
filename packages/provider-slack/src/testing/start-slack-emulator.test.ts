import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CALLBACK, slackTestClient } from "./slack-test-client.js";
import { startSlackEmulator, type SlackEmulator, type SlackEmulatorOptions } from "./start-slack-emulator.js";

let emulator: SlackEmulator;
let client: ReturnType<typeof slackTestClient>;

async function start(options: Partial<SlackEmulatorOptions> = {}) {
  await emulator?.close();
  emulator = await startSlackEmulator({ redirectUris: [CALLBACK, "http://127.0.0.1:9/other"], ...options });
  client = slackTestClient(emulator);
}

beforeEach(() => start());
afterEach(() => emulator.close());

describe("authorize and consent", () => {
  it("renders a consent page with a workspace picker that offers the Enterprise Grid org", async () => {
    const page = await fetch(client.authorizeUrl({ scope: "chat:write,incoming-webhook", user_scope: "search:read", team: "T0GRID0001" }));
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('<option value="T0ACME0001">');
    expect(html).toContain('<option value="T0GRID0001" selected>');
    expect(html).toMatch(/<option value="E0GRID0001">Grid Org \(entire organization\)<\/option>/);
    for (const id of ['id="approve"', 'id="deny"', 'id="user"', 'id="channel"', 'name="request"']) expect(html).toContain(id);
    expect(html).toContain("<li>search:read</li>");
  });

  it("approval redirects with a code and the state; denial with error=access_denied and the state", async () => {
    const approved = new URL(await emulator.consent(client.authorizeUrl({ state: "abc/+=" })));
    expect(`${approved.origin}${approved.pathname}`).toBe(CALLBACK);
    expect(emulator.redirectUris).toEqual([CALLBACK, "http://127.0.0.1:9/other"]);
    expect(approved.searchParams.get("code")).toMatch(/.+/);
    expect(approved.searchParams.get("state")).toBe("abc/+=");
    const denied = new URL(await emulator.consent(client.authorizeUrl(), { approve: false }));
    expect(denied.searchParams.get("error")).toBe("access_denied");
    expect(denied.searchParams.get("state")).toBe("s-1");
    expect(denied.searchParams.has("code")).toBe(false);
  });

  it("accepts a redirect_uri in a subdirectory of a configured URL and keeps its query", async () => {
    const location = new URL(await emulator.consent(client.authorizeUrl({ redirect_uri: `${CALLBACK}/team/callback?from=app` })));
    expect(location.pathname).toBe("/slack/oauth/team/callback");
    expect(location.searchParams.get("from")).toBe("app");
    expect(location.searchParams.get("code")).toMatch(/.+/);
  });

  it("uses the first configured URL when authorize has no redirect_uri", async () => {
    const url = new URL(client.authorizeUrl());
    url.searchParams.delete("redirect_uri");
    const location = new URL(await emulator.consent(url.toString()));
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
  });

  it.each([
    ["a sibling path", { redirect_uri: "http://127.0.0.1:9/slack/oauthx" }, "bad_redirect_uri"],
    ["another origin", { redirect_uri: "http://127.0.0.1:10/slack/oauth" }, "bad_redirect_uri"],
    ["a parent path", { redirect_uri: "http://127.0.0.1:9/slack" }, "bad_redirect_uri"],
    ["an unknown scope", { scope: "chat:write,teleport:write" }, "invalid_scope"],
    ["space-separated scopes", { scope: "chat:write channels:read" }, "invalid_scope"],
    ["no scopes at all", { scope: "" }, "invalid_scope"],
    ["an unknown client_id", { client_id: "999.999" }, "invalid_client_id"],
  ])("shows an error page, not a redirect, for %s", async (_, params, error) => {
    const page = await fetch(client.authorizeUrl(params), { redirect: "manual" });
    expect(page.status).toBe(400);
    expect(page.headers.get("location")).toBeNull();
    expect(await page.text()).toContain(`data-error="${error}"`);
    await expect(emulator.consent(client.authorizeUrl(params))).rejects.toThrow(error);
  });

  it("allows a user-only install (user_scope without scope)", async () => {
    const location = new URL(await emulator.consent(client.authorizeUrl({ scope: "", user_scope: "search:read" })));
    expect(location.searchParams.get("code")).toMatch(/.+/);
  });

  it("uses an authorization request once", async () => {
    const html = await (await fetch(client.authorizeUrl())).text();
    const request = /name="request" value="([^"]+)"/.exec(html)![1]!;
    const submit = () =>
      fetch(`${emulator.url}/oauth/v2/authorize/decision`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ request, team: "T0ACME0001", user: "U1", decision: "approve" }),
      });
    expect((await submit()).status).toBe(302);
    expect((await submit()).status).toBe(400);
  });

  it("rejects a team the user was not offered", async () => {
    await expect(emulator.consent(client.authorizeUrl(), { team: "T0NOTHERE1" })).rejects.toThrow("invalid_team");
  });
});

describe("oauth.v2.access: code exchange", () => {
  it("answers in Slack's shape with rotation: bot token at the top, user token in authed_user", async () => {
    const body = await client.install({ scope: "chat:write,channels:read", user_scope: "search:read" }, { user: "U0ALICE001", team: "T0ACME0001" });
    expect(body).toEqual({
      ok: true,
      app_id: "A0EMULATOR1",
      access_token: expect.stringMatching(/^xoxe\.xoxb-1-[0-9a-f]+$/),
      token_type: "bot",
      scope: "chat:write,channels:read",
      bot_user_id: expect.stringMatching(/^U0BOT/),
      expires_in: 43200,
      refresh_token: expect.stringMatching(/^xoxe-1-[0-9a-f]+$/),
      team: { id: "T0ACME0001", name: "Acme" },
      enterprise: null,
      is_enterprise_install: false,
      authed_user: {
        id: "U0ALICE001",
        scope: "search:read",
        access_token: expect.stringMatching(/^xoxe\.xoxp-1-[0-9a-f]+$/),
        token_type: "user",
        expires_in: 43200,
        refresh_token: expect.stringMatching(/^xoxe-1-[0-9a-f]+$/),
      },
    });
    const authed = body.authed_user as Record<string, unknown>;
    expect(authed.refresh_token).not.toBe(body.refresh_token);
    expect(emulator.stats.codeExchanges).toBe(1);
  });

  it("gives a user-only install no top-level token", async () => {
    const body = await client.install({ scope: "", user_scope: "search:read,chat:write" });
    for (const key of ["access_token", "token_type", "scope", "bot_user_id", "refresh_token", "expires_in"]) expect(body).not.toHaveProperty(key);
    expect(body.authed_user).toMatchObject({ id: "U0INSTALLER", scope: "search:read,chat:write", token_type: "user" });
  });

  it("gives a bot-only install an authed_user with only the installer's id", async () => {
    const body = await client.install({ scope: "chat:write" });
    expect(body.authed_user).toEqual({ id: "U0INSTALLER" });
  });

  it("answers an org install with team null, the enterprise and is_enterprise_install", async () => {
    const body = await client.install({ scope: "chat:write" }, { team: "E0GRID0001", user: "W0ADMIN001" });
    expect(body).toMatchObject({ team: null, enterprise: { id: "E0GRID0001", name: "Grid Org" }, is_enterprise_install: true, bot_user_id: expect.stringMatching(/^W/) });
    const inWorkspace = await client.install({ scope: "chat:write" }, { team: "T0GRID0001" });
    expect(inWorkspace).toMatchObject({ team: { id: "T0GRID0001", name: "Grid Sales" }, enterprise: { id: "E0GRID0001", name: "Grid Org" }, is_enterprise_install: false });
  });

  it("can put the org in `team` for org installs (orgInstallTeam: enterprise)", async () => {
    await start({ orgInstallTeam: "enterprise" });
    const body = await client.install({ scope: "chat:write" }, { team: "E0GRID0001" });
    expect(body.team).toEqual({ id: "E0GRID0001", name: "Grid Org" });
  });

  it("adds incoming_webhook for the incoming-webhook scope, and its URL accepts posts", async () => {
    const body = await client.install({ scope: "incoming-webhook" }, { channel: "C0RANDOM01" });
    const webhook = body.incoming_webhook as { url: string };
    expect(webhook).toMatchObject({ channel: "#random", channel_id: "C0RANDOM01", configuration_url: expect.stringMatching(/^https:\/\/acme\.slack\.com\/services\/B/) });
    expect(webhook.url.startsWith(`${emulator.url}/services/T0ACME0001/`)).toBe(true);
    const posted = await fetch(webhook.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "hi" }) });
    expect(await posted.text()).toBe("ok");
    expect((await fetch(`${emulator.url}/services/T0ACME0001/B0/forged`, { method: "POST" })).status).toBe(404);
    expect(await client.install({ scope: "chat:write" })).not.toHaveProperty("incoming_webhook");
  });

  it("takes client credentials by HTTP Basic and the request as JSON", async () => {
    const code = await client.code();
    const answer = await client.access({ code, redirect_uri: CALLBACK }, { basic: true, json: true });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, token_type: "bot" });
  });

  it("uses a code once", async () => {
    const code = await client.code();
    expect((await client.access({ code })).body.ok).toBe(true);
    expect((await client.access({ code })).body).toEqual({ ok: false, error: "invalid_code" });
  });

  it("lets a code expire after 10 minutes on the emulator clock", async () => {
    const fresh = await client.code();
    const late = await client.code();
    emulator.clock.advance(599_999);
    expect((await client.access({ code: fresh })).body.ok).toBe(true);
    emulator.clock.advance(1);
    const answer = await client.access({ code: late });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: false, error: "invalid_code" });
  });

  it("checks redirect_uri against the authorize one when it is sent, and only then", async () => {
    const code = await client.code();
    expect((await client.access({ code, redirect_uri: "http://127.0.0.1:9/other" })).body).toEqual({ ok: false, error: "bad_redirect_uri" });
    expect((await client.access({ code })).body.ok).toBe(true);
  });

  it.each([
    ["an unknown client_id", { client_id: "999.999", client_secret: "any-client-secret" }, "invalid_client_id"],
    ["no client_id", { client_secret: "any-client-secret" }, "invalid_client_id"],
    ["a wrong client_secret", { client_id: "1111111111.2222222222", client_secret: "nope" }, "bad_client_secret"],
  ])("rejects %s with HTTP 200 and ok:false", async (_, credentials, error) => {
    const code = await client.code();
    const answer = await client.access({ code, ...credentials }, { credentials: false });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: false, error });
    expect((await client.access({ code })).body.ok).toBe(true);
  });

  it("rejects a wrong secret sent by HTTP Basic", async () => {
    const response = await fetch(emulator.endpoints.tokenUrl, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${emulator.clientId}:wrong`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ code: await client.code() }),
    });
    expect(await response.json()).toEqual({ ok: false, error: "bad_client_secret" });
  });

  it("rejects an unknown grant_type", async () => {
    expect((await client.access({ grant_type: "client_credentials" })).body).toEqual({ ok: false, error: "invalid_grant_type" });
  });

  it("checks code_verifier when authorize carried a code_challenge, and accepts one when it did not", async () => {
    const verifier = "v".repeat(43);
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const withChallenge = await client.code({ code_challenge: challenge, code_challenge_method: "S256" });
    expect((await client.access({ code: withChallenge, code_verifier: "w".repeat(43) })).body).toEqual({ ok: false, error: "invalid_code_verifier" });
    expect((await client.access({ code: withChallenge, code_verifier: verifier })).body.ok).toBe(true);
    expect((await client.access({ code: await client.code(), code_verifier: verifier })).body.ok).toBe(true);
  });

  it("adds scopes up across installs and never drops one", async () => {
    await client.install({ scope: "chat:write" });
    const second = await client.install({ scope: "channels:read", user_scope: "search:read" });
    expect(second.scope).toBe("chat:write,channels:read");
    const third = await client.install({ scope: "chat:write", user_scope: "users:read" });
    expect(third.scope).toBe("chat:write,channels:read");
    expect((third.authed_user as Record<string, unknown>).scope).toBe("search:read,users:read");
  });

  it("without rotation issues long-lived tokens, hands them back on reinstall and has no refresh grant", async () => {
    await start({ tokenRotation: false });
    const first = await client.install({ scope: "chat:write", user_scope: "search:read" });
    expect(first.access_token).toMatch(/^xoxb-\d+-\d+-[0-9a-f]+$/);
    const authed = first.authed_user as Record<string, unknown>;
    expect(authed.access_token).toMatch(/^xoxp-\d+-\d+-[0-9a-f]+$/);
    for (const key of ["refresh_token", "expires_in"]) {
      expect(first).not.toHaveProperty(key);
      expect(authed).not.toHaveProperty(key);
    }
    const again = await client.install({ scope: "chat:write", user_scope: "search:read" });
    expect(again.access_token).toBe(first.access_token);
    emulator.clock.advance(365 * 86_400_000);
    expect((await client.api("auth.test", first.access_token as string)).body.ok).toBe(true);
    expect((await client.refresh("xoxe-1-anything")).body).toEqual({ ok: false, error: "invalid_refresh_token" });
  });
});
