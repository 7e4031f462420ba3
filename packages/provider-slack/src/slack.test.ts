import { SdkError } from "@sdk/core";
import { accessTokenKey } from "@sdk/core/provider-kit";
import { afterEach, describe, expect, it } from "vitest";
import { readCachedToken } from "@sdk/oauth/testing";
import type { OAuthEndpoints } from "@sdk/oauth";
import { ENCRYPTION, REDIRECT_URI, TWELVE_HOURS, failure, startSlackHarness, type SlackHarness } from "../test/harness.js";
import { findSlackConnection } from "./find-slack-connection.js";
import { slack } from "./slack.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const valid = { clientId: "1.2", clientSecret: "planted-client-secret-4242", redirectUri: REDIRECT_URI, scopes: ["chat:write"] };

describe("slack(options)", () => {
  it("validates every option and names the bad one, never echoing a value", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ redirectUri: "not a url" }, "slack.redirectUri"],
      [{ scopes: ["chat:write,users:read"] }, "slack.scopes[0]"],
      [{ scopes: "chat:write" }, "slack.scopes"],
      [{ userScopes: ["search read"] }, "slack.userScopes[0]"],
      [{ clientSecret: "" }, "slack.clientSecret"],
      [{ endpoints: { tokenUrl: "ftp://x" } }, "slack.endpoints.tokenUrl"],
      [{ skewSeconds: -1 }, "slack.skewSeconds"],
      [{ clientAuth: "none" }, "slack.clientAuth"],
    ];
    for (const [override, field] of cases) {
      let caught: unknown;
      try {
        slack({ ...valid, ...override } as never);
      } catch (error) {
        caught = error;
      }
      expect(SdkError.is(caught, "validation_failed"), field).toBe(true);
      expect((caught as SdkError).details.field).toBe(field);
      expect((caught as SdkError).message).not.toContain("planted-client-secret-4242");
    }
    expect(() => slack({ ...valid, extra: 1 } as never)).toThrow(/"slack\.extra"/);
  });

  it("has the id 'slack' and slack.com endpoints by default", async () => {
    // The endpoint facts the factory gave the engine (its flat options, behind the opaque provider type).
    const options = (provider: unknown) => (provider as { options: OAuthEndpoints }).options;
    const provider = slack(valid);
    expect(provider.id).toBe("slack");
    expect(options(provider).authorizeUrl).toBe("https://slack.com/oauth/v2/authorize");
    expect(options(provider).tokenUrl).toBe("https://slack.com/api/oauth.v2.access");
    expect(options(provider).revokeUrl).toBe("https://slack.com/api/auth.revoke");
    expect(options(provider).apiBaseUrl).toBe("https://slack.com/api");
    const gov = slack({ ...valid, endpoints: { authorizeUrl: "https://slack-gov.com/oauth/v2/authorize" } });
    expect(options(gov).authorizeUrl).toBe("https://slack-gov.com/oauth/v2/authorize");
    expect(options(gov).tokenUrl).toBe("https://slack.com/api/oauth.v2.access");
  });
});

describe("install URL", () => {
  it("sends comma-separated scope and user_scope, the team, the redirect_uri and state, and no PKCE by default", async () => {
    h = await startSlackHarness({ provider: { scopes: ["chat:write"], userScopes: ["search:read"] } });
    const started = await h.sdk.buildInstallUrl({ provider: "slack", user_id: "u1", account_id: "acct-1", scopes: ["channels:read"], user_scopes: ["users:read"], team: "T0GRID0001" });
    const url = new URL(started.url);
    expect(`${url.origin}${url.pathname}`).toBe(h.emulator.endpoints.authorizeUrl);
    expect(url.searchParams.get("client_id")).toBe(h.emulator.clientId);
    expect(url.searchParams.get("scope")).toBe("chat:write,channels:read");
    expect(url.searchParams.get("user_scope")).toBe("search:read,users:read");
    expect(url.searchParams.get("team")).toBe("T0GRID0001");
    expect(url.searchParams.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(url.searchParams.get("state")).toBe(started.state);
    expect(url.searchParams.has("code_challenge")).toBe(false);
    // The emulator's consent page pre-selects the team the URL names.
    const back = new URL(await h.emulator.consent(started.url));
    const callback = await h.sdk.handleInstallCallback({ provider: "slack", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: started.browser_binding });
    expect(callback.integration.metadata).toMatchObject({ team_id: "T0GRID0001", enterprise_id: "E0GRID0001" });
  });

  it("leaves out user_scope for bot-only installs and scope for user-only ones; PKCE when asked", async () => {
    h = await startSlackHarness({ provider: { scopes: [], userScopes: ["search:read"], pkce: true } });
    const url = new URL((await h.sdk.buildInstallUrl({ provider: "slack", user_id: "u1", account_id: "acct-1" })).url);
    expect(url.searchParams.has("scope")).toBe(false);
    expect(url.searchParams.get("user_scope")).toBe("search:read");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const saved = await h.install();
    expect(saved.credential_fields).toContain("user_refresh_token");
  });

  it("rejects a bad team, a comma in a scope and an install without any scope, naming the field", async () => {
    h = await startSlackHarness({ provider: { scopes: [] } });
    const base = { provider: "slack", user_id: "u1", account_id: "acct-1" } as const;
    expect((await failure(h.sdk.buildInstallUrl({ ...base, team: "acme", scopes: ["chat:write"] }))).details.field).toBe("buildInstallUrl.team");
    expect((await failure(h.sdk.buildInstallUrl({ ...base, scopes: ["chat:write,users:read"] }))).details.field).toBe("buildInstallUrl.scopes[0]");
    expect((await failure(h.sdk.buildInstallUrl({ ...base, user_scopes: "search:read" }))).details.field).toBe("buildInstallUrl.user_scopes");
    const none = await failure(h.sdk.buildInstallUrl(base));
    expect(none.code).toBe("validation_failed");
    expect(none.details.field).toBe("buildInstallUrl.scopes");
  });
});

describe("install shapes", () => {
  it("bot-only: refresh token stored encrypted, access token only in the cache, workspace metadata and natural key", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    expect(saved.natural_key).toBe("team:T0ACME0001");
    expect(saved.credential_fields).toEqual(["refresh_token", "scopes", "token_type"]);
    expect(saved.metadata).toEqual({
      team_id: "T0ACME0001",
      team_name: "Acme",
      enterprise_id: null,
      enterprise_name: null,
      is_enterprise_install: false,
      app_id: h.emulator.appId,
      bot_user_id: expect.stringMatching(/^U0BOT/),
      authed_user_id: "U0INSTALLER",
    });
    const raw = await h.store.get(saved.id);
    expect(JSON.stringify(raw?.credentials.refresh_token)).toMatch(/"kid":"k1"/);
    const credentials = await h.credentials(saved.id);
    expect(credentials.refresh_token).toMatch(/^xoxe-1-/);
    expect(credentials.access_token).toBeUndefined();
    const runtime = await h.resolve(saved.id);
    expect((await readCachedToken(h.cache, accessTokenKey("slack", saved.id, "acct-1"), ENCRYPTION.keys))?.access_token).toBe(runtime.access_token);
    expect(runtime).toMatchObject({
      provider: "slack",
      integration_id: saved.id,
      account_id: "acct-1",
      team_id: "T0ACME0001",
      team_name: "Acme",
      enterprise_id: null,
      is_enterprise_install: false,
      bot_user_id: saved.metadata.bot_user_id,
      app_id: h.emulator.appId,
      token_type: "bot",
      bot_scopes: ["chat:write"],
      scopes: ["chat:write"],
      user_token: null,
      user_token_expires_at: null,
      user_scopes: [],
      api_base_url: h.emulator.endpoints.apiBaseUrl,
      expires_at: new Date(h.emulator.clock.now() + TWELVE_HOURS).toISOString(),
    });
    expect(runtime.access_token).toMatch(/^xoxe\.xoxb-/);
    expect(runtime.bot_token).toBe(runtime.access_token);
    expect(runtime.headers).toEqual({ Authorization: `Bearer ${runtime.access_token}` });
    expect(h.emulator.chain(runtime.access_token)?.id).toBe("bot:T0ACME0001");
  });

  it("bot + user: the workspace connection holds the bot chain, the Slack user's own connection the user chain", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    const saved = await h.install({ consent: { user: "U0ALICE001" } });
    expect(saved.natural_key).toBe("team:T0ACME0001");
    expect(saved.credential_fields).toEqual(["refresh_token", "scopes", "token_type"]);
    expect(saved.scopes).toEqual(["chat:write"]);
    const runtime = await h.resolve(saved.id);
    expect(runtime.headers.Authorization).toBe(`Bearer ${runtime.bot_token}`);
    expect(runtime).toMatchObject({ token_type: "bot", user_token: null, user_scopes: [], authed_user_id: "U0ALICE001" });
    const alice = await findSlackConnection(h.sdk, { account_id: "acct-1", team_id: "T0ACME0001", user_id: "U0ALICE001" });
    expect(alice).toMatchObject({ natural_key: "team:T0ACME0001:user:U0ALICE001", scopes: ["search:read"], credential_fields: ["user_refresh_token", "user_scopes", "user_token_type"] });
    const user = await h.resolve(alice!.id);
    expect(user.user_token).toMatch(/^xoxe\.xoxp-/);
    expect(user).toMatchObject({ token_type: "user", access_token: user.user_token, bot_token: null, user_scopes: ["search:read"], authed_user_id: "U0ALICE001", team_id: "T0ACME0001" });
    expect(h.emulator.chain(user.user_token!)?.id).toBe("user:T0ACME0001:U0ALICE001");
    expect((await readCachedToken(h.cache, accessTokenKey("slack", alice!.id, "acct-1", "user"), ENCRYPTION.keys))?.access_token).toBe(user.user_token);
    expect(await h.cache.get(accessTokenKey("slack", saved.id, "acct-1", "user"))).toBeUndefined();
  });

  it("user-only: no top-level token, the user chain alone, headers carry the user token, key names the user", async () => {
    h = await startSlackHarness({ provider: { scopes: [], userScopes: ["search:read", "chat:write"] } });
    const saved = await h.install({ consent: { user: "U0BOB00001" } });
    expect(saved.credential_fields).toEqual(["user_refresh_token", "user_scopes", "user_token_type"]);
    expect(saved.natural_key).toBe("team:T0ACME0001:user:U0BOB00001");
    expect(saved.metadata).toMatchObject({ bot_user_id: null, authed_user_id: "U0BOB00001", team_id: "T0ACME0001" });
    const runtime = await h.resolve(saved.id);
    expect(runtime).toMatchObject({ token_type: "user", bot_token: null, bot_scopes: [], user_scopes: ["search:read", "chat:write"] });
    expect(runtime.access_token).toBe(runtime.user_token);
    expect(runtime.headers.Authorization).toBe(`Bearer ${runtime.user_token}`);
    // A second person's user-only install in the same workspace is a separate integration.
    const other = await h.install({ consent: { user: "U0CAROL001" } });
    expect(other.id).not.toBe(saved.id);
    expect(other.natural_key).toBe("team:T0ACME0001:user:U0CAROL001");
  });

  it("enterprise grid: an org-wide install keys on the enterprise with team null; a grid workspace keys on the team", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    const org = await h.install({ consent: { team: "E0GRID0001" } });
    expect(org.natural_key).toBe("enterprise:E0GRID0001");
    expect(org.metadata).toMatchObject({ is_enterprise_install: true, team_id: null, team_name: null, enterprise_id: "E0GRID0001", enterprise_name: "Grid Org" });
    const runtime = await h.resolve(org.id);
    expect(runtime).toMatchObject({ is_enterprise_install: true, team_id: null, enterprise_id: "E0GRID0001" });
    expect(runtime.bot_user_id).toMatch(/^W0BOT/);
    const workspace = await h.install({ consent: { team: "T0GRID0001" } });
    expect(workspace.natural_key).toBe("team:T0GRID0001");
    expect(workspace.metadata).toMatchObject({ is_enterprise_install: false, team_id: "T0GRID0001", enterprise_id: "E0GRID0001" });
    expect(workspace.id).not.toBe(org.id);
  });

  it("enterprise grid: an org install that answers the org as `team` (UNSURE) still has team_id null", async () => {
    h = await startSlackHarness({ emulator: { orgInstallTeam: "enterprise" } });
    const org = await h.install({ consent: { team: "E0GRID0001" } });
    expect(org.natural_key).toBe("enterprise:E0GRID0001");
    expect(org.metadata).toMatchObject({ team_id: null, enterprise_id: "E0GRID0001" });
  });

  it("re-install upserts in place (new tokens, status active again); another account gets its own integration", async () => {
    h = await startSlackHarness();
    const first = await h.install();
    const before = await h.credentials(first.id);
    const again = await h.install();
    expect(again.id).toBe(first.id);
    expect(again.version).toBe(first.version + 1);
    expect((await h.credentials(first.id)).refresh_token).not.toBe(before.refresh_token);
    const other = await h.install({ account_id: "acct-2" });
    expect(other.id).not.toBe(first.id);
    expect((await h.sdk.listConnections({ account_id: "acct-1" })).length).toBe(1);

    h.emulator.revokeInstall("T0ACME0001");
    h.emulator.clock.advance(TWELVE_HOURS);
    expect((await failure(h.resolve(first.id))).code).toBe("reauth_required");
    const recovered = await h.install();
    expect(recovered).toMatchObject({ id: first.id, status: "active" });
    expect(h.events.filter((event) => event.name === "connection.recovered")).toHaveLength(1);
    expect((await h.resolve(first.id)).access_token).toMatch(/^xoxe\.xoxb-/);
  });

  it("non-rotating app: the long-lived token stays in the (encrypted) record and resolves without a refresh, ever", async () => {
    h = await startSlackHarness({ emulator: { tokenRotation: false }, provider: { userScopes: ["search:read"] } });
    const saved = await h.install();
    expect(saved.credential_fields).toEqual(["access_token", "access_token_expires_at", "scopes", "token_type"]);
    const user = await findSlackConnection(h.sdk, { account_id: "acct-1", team_id: "T0ACME0001", user_id: "U0INSTALLER" });
    expect(user?.credential_fields).toEqual(["user_access_token", "user_access_token_expires_at", "user_scopes", "user_token_type"]);
    const raw = await h.store.get(saved.id);
    expect(JSON.stringify(raw?.credentials.access_token)).toMatch(/"kid":"k1"/);
    h.emulator.clock.advance(30 * 24 * 3600 * 1000);
    const runtime = await h.resolve(saved.id);
    expect(runtime.access_token).toMatch(/^xoxb-/);
    expect(runtime.expires_at).toBeNull();
    const userRuntime = await h.resolve(user!.id);
    expect(userRuntime.user_token).toMatch(/^xoxp-/);
    expect(userRuntime.user_token_expires_at).toBeNull();
    expect(h.emulator.stats.tokenCalls).toBe(1);
    const response = await h.sdk.fetch(saved.id, "/auth.test", { method: "POST" });
    expect(await response.json()).toMatchObject({ ok: true, team_id: "T0ACME0001" });
  });

  it("keeps where an incoming webhook posts, but never its URL (a secret)", async () => {
    h = await startSlackHarness({ provider: { scopes: ["chat:write", "incoming-webhook"] } });
    const saved = await h.install({ consent: { channel: "C0RANDOM01" } });
    expect(saved.metadata.incoming_webhook).toEqual({ channel: "#random", channel_id: "C0RANDOM01", configuration_url: expect.stringMatching(/^https:\/\/acme\.slack\.com\//) });
    // The webhook URL the emulator issued points at the emulator itself.
    expect(JSON.stringify(await h.store.get(saved.id))).not.toContain(h.emulator.url);
  });

  it("a denied install is authorization_denied", async () => {
    h = await startSlackHarness();
    const error = await failure(h.install({ consent: { approve: false } }));
    expect(error.code).toBe("authorization_denied");
    expect(error.details.provider_error).toBe("access_denied");
  });

  it("createConnection validates Slack metadata, naming the field", async () => {
    h = await startSlackHarness();
    const draft = { provider: "slack", account_id: "acct-1", created_by: "u1", credentials: { refresh_token: "xoxe-1-x" } };
    expect((await failure(h.sdk.createConnection({ ...draft, metadata: { is_enterprise_install: false, team_id: null } }))).details.field).toBe("createConnection.metadata.team_id");
    expect((await failure(h.sdk.createConnection({ ...draft, metadata: { is_enterprise_install: true, team_id: null } }))).details.field).toBe("createConnection.metadata.enterprise_id");
    expect((await failure(h.sdk.createConnection({ ...draft, metadata: { is_enterprise_install: false, team_id: "T1", extra: 1 } }))).details.field).toBe("createConnection.metadata.extra");
    expect((await failure(h.sdk.createConnection({ ...draft, metadata: { is_enterprise_install: false, team_id: "t:1" } }))).details.field).toBe("createConnection.metadata.team_id");
  });
});

describe("sdk.fetch", () => {
  it("posts with the bot token: sdk.fetch(id, '/chat.postMessage') reaches the Web API", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    const response = await h.sdk.fetch(saved.id, "/chat.postMessage", {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ channel: "#general", text: "deploy finished" }),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel: "C0GENERAL1" });
    expect(h.emulator.messages).toEqual([expect.objectContaining({ channel: "C0GENERAL1", text: "deploy finished", chainId: "bot:T0ACME0001" })]);
  });
});
