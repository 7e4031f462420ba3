// The Atlassian emulator over real HTTP with global fetch: consent, code exchange, refresh rotation and reuse rules,
// the gateway's token/site/scope checks, faults and counters. Time moves only through the emulator's ManualClock.
import { afterEach, describe, expect, it } from "vitest";
import { startAtlassianEmulator, type AtlassianEmulator, type AtlassianEmulatorOptions } from "../testing.js";

const CALLBACK = "https://app.example.com/callback";
const JIRA_SITE = { id: "aaaaaaaa-0000-4000-8000-000000000001", name: "jira-only", url: "https://jira-only.atlassian.net", products: ["jira" as const] };
const FULL_SITE = { id: "bbbbbbbb-0000-4000-8000-000000000002", name: "full", url: "https://full.atlassian.net", products: ["jira" as const, "jsm" as const, "confluence" as const] };
const WIKI_SITE = { id: "cccccccc-0000-4000-8000-000000000003", name: "wiki", url: "https://wiki.atlassian.net", products: ["confluence" as const] };
const MINUTE = 60_000;
const DAY = 86_400_000;
const INVALID_REFRESH = { error: "invalid_grant", error_description: "Unknown or invalid refresh token." };

const running: AtlassianEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

async function start(options: AtlassianEmulatorOptions = {}): Promise<AtlassianEmulator> {
  const emulator = await startAtlassianEmulator({ redirectUris: [CALLBACK], ...options });
  running.push(emulator);
  return emulator;
}

function authorizeUrl(emulator: AtlassianEmulator, params: Record<string, string> = {}): string {
  const url = new URL(emulator.endpoints.authorizeUrl);
  const all = {
    audience: "api.atlassian.com",
    client_id: emulator.clientId,
    scope: "read:jira-user read:jira-work offline_access",
    redirect_uri: CALLBACK,
    state: "state-123",
    response_type: "code",
    prompt: "consent",
    ...params,
  };
  for (const [key, value] of Object.entries(all)) url.searchParams.set(key, value);
  return url.toString();
}

async function postToken(emulator: AtlassianEmulator, fields: Record<string, string>, format: "json" | "form" = "json") {
  const body = { client_id: emulator.clientId, client_secret: emulator.clientSecret, ...fields };
  const response = await fetch(emulator.endpoints.tokenUrl, {
    method: "POST",
    headers: { "content-type": format === "json" ? "application/json" : "application/x-www-form-urlencoded" },
    body: format === "json" ? JSON.stringify(body) : new URLSearchParams(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function codeFrom(emulator: AtlassianEmulator, params: Record<string, string> = {}, decision: Parameters<AtlassianEmulator["consent"]>[1] = {}) {
  const location = new URL(await emulator.consent(authorizeUrl(emulator, params), decision));
  const code = location.searchParams.get("code");
  if (!code) throw new Error(`no code in ${location.toString()}`);
  return code;
}

async function connect(emulator: AtlassianEmulator, params: Record<string, string> = {}, decision: Parameters<AtlassianEmulator["consent"]>[1] = {}) {
  const code = await codeFrom(emulator, params, decision);
  const answer = await postToken(emulator, { grant_type: "authorization_code", code, redirect_uri: CALLBACK });
  expect(answer.status).toBe(200);
  return answer.body as { access_token: string; refresh_token?: string; scope: string; expires_in: number };
}

const refresh = (emulator: AtlassianEmulator, refreshToken: string) => postToken(emulator, { grant_type: "refresh_token", refresh_token: refreshToken });

async function get(url: string, accessToken?: string) {
  const response = await fetch(url, { headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {} });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe("consent", () => {
  it("renders a page with stable ids and a checkbox per site that offers a requested product", async () => {
    const emulator = await start({ sites: [JIRA_SITE, FULL_SITE, WIKI_SITE] });
    const response = await fetch(authorizeUrl(emulator, { scope: "read:confluence-space.summary" }));
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('id="approve"');
    expect(html).toContain('id="deny"');
    expect(html).toContain('id="user"');
    expect(html).toMatch(/<input type="hidden" name="request" value="[^"]+">/);
    expect([...html.matchAll(/name="site" value="([^"]+)"/g)].map((found) => found[1])).toEqual([FULL_SITE.id, WIKI_SITE.id]);
  });

  it("approves with a code and the state on the exact redirect_uri", async () => {
    const emulator = await start();
    const location = new URL(await emulator.consent(authorizeUrl(emulator)));
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get("code")).toMatch(/^code_/);
    expect(location.searchParams.get("state")).toBe("state-123");
  });

  it("denies with error=access_denied and the state, no code", async () => {
    const emulator = await start();
    const location = new URL(await emulator.consent(authorizeUrl(emulator), { approve: false }));
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("state")).toBe("state-123");
    expect(location.searchParams.has("code")).toBe(false);
  });

  it("uses the configured denial parameters", async () => {
    const emulator = await start({ denial: { error: "access_denied", error_description: "User did not authorize the request" } });
    const location = new URL(await emulator.consent(authorizeUrl(emulator), { approve: false }));
    expect(location.searchParams.get("error_description")).toBe("User did not authorize the request");
  });

  it("grants only the sites ticked, and only those the user may grant", async () => {
    const emulator = await start({
      sites: [JIRA_SITE, FULL_SITE],
      users: [{ accountId: "alice", sites: [FULL_SITE.id] }, { accountId: "bob" }],
    });
    await connect(emulator, {}, { user: "alice" });
    expect(emulator.grantOf("alice")?.sites).toEqual([FULL_SITE.id]);
    await connect(emulator, {}, { user: "bob", sites: [JIRA_SITE.id] });
    expect(emulator.grantOf("bob")?.sites).toEqual([JIRA_SITE.id]);
    await expect(emulator.consent(authorizeUrl(emulator), { user: "alice", sites: [JIRA_SITE.id] })).rejects.toThrow(/cannot grant site/);
    await expect(emulator.consent(authorizeUrl(emulator), { user: "mallory" })).rejects.toThrow("Atlassian consent shows an error page: invalid_request (unknown account)");
  });

  it("refuses a site the page did not offer (it lacks every requested product)", async () => {
    const emulator = await start({ sites: [JIRA_SITE, WIKI_SITE] });
    const url = authorizeUrl(emulator, { scope: "read:confluence-space.summary" });
    await expect(emulator.consent(url, { sites: [JIRA_SITE.id] })).rejects.toThrow(/cannot grant site/);
  });

  it("spends an authorization request on its first decision", async () => {
    const emulator = await start();
    const html = await (await fetch(authorizeUrl(emulator))).text();
    const request = /name="request" value="([^"]+)"/.exec(html)![1]!;
    const decide = () =>
      fetch(`${emulator.url}/authorize/decision`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ request, user: "user-1", decision: "approve" }),
      });
    expect((await decide()).headers.get("location")).toMatch(/^https:\/\/app\.example\.com\/callback\?code=/);
    const again = new URL((await decide()).headers.get("location")!);
    expect(`${again.origin}${again.pathname}`).toBe(`${emulator.url}/error`);
    expect(again.searchParams.get("error")).toBe("invalid_request");
  });

  it("keeps bad client_id, redirect_uri and audience on Atlassian's error page, and redirects other errors", async () => {
    const emulator = await start();
    const load = (params: Record<string, string>) => fetch(authorizeUrl(emulator, params), { redirect: "manual" });
    const pageErrors: Array<[Record<string, string>, string, string]> = [
      [{ client_id: "someone-else" }, "invalid_request", "failed to retrieve client"],
      [{ redirect_uri: `${CALLBACK}/other` }, "unauthorized_client", `redirect_uri is not registered for client: ${CALLBACK}/other`],
      [{ audience: "" }, "invalid_request", "audience must be api.atlassian.com"],
    ];
    for (const [params, error, description] of pageErrors) {
      // As id.atlassian.com: never back to the app, but to its own /error page with the OAuth error on the query.
      const location = new URL((await load(params)).headers.get("location")!);
      expect(`${location.origin}${location.pathname}`).toBe(`${emulator.url}/error`);
      expect(Object.fromEntries(location.searchParams)).toEqual({ error, error_description: description });
      const page = await fetch(location);
      expect(page.status).toBe(400);
      expect(await page.text()).toContain(`id="error" data-error="${error}"`);
      await expect(emulator.consent(authorizeUrl(emulator, params))).rejects.toThrow(`Atlassian authorize shows an error page: ${error} (${description})`);
    }
    const wrongType = new URL((await load({ response_type: "token" })).headers.get("location")!);
    expect(wrongType.searchParams.get("error")).toBe("unsupported_response_type");
    expect(wrongType.searchParams.get("state")).toBe("state-123");
    const noScope = new URL((await load({ scope: "" })).headers.get("location")!);
    expect(noScope.searchParams.get("error")).toBe("invalid_scope");
  });

  it("lets authorize go without audience when requireAudience is off", async () => {
    const emulator = await start({ requireAudience: false });
    expect((await fetch(authorizeUrl(emulator, { audience: "" }))).status).toBe(200);
  });
});

describe("code exchange", () => {
  it("answers with Atlassian's token shape, a refresh token only with offline_access", async () => {
    const emulator = await start();
    const offline = await connect(emulator);
    expect(offline).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "read:jira-user read:jira-work offline_access" });
    expect(offline.access_token).toMatch(/^atl_at_/);
    expect(offline.refresh_token).toMatch(/^atl_rt_/);
    const online = await connect(await start(), { scope: "read:jira-user" });
    expect(online).not.toHaveProperty("refresh_token");
    expect(online.expires_in).toBe(3600);
  });

  it("leaves expires_in out with omitExpiresIn, the token still expiring after accessTokenTtlSeconds", async () => {
    const emulator = await start({ omitExpiresIn: true, accessTokenTtlSeconds: 120 });
    const tokens = await connect(emulator);
    expect(tokens).not.toHaveProperty("expires_in");
    expect((await refresh(emulator, tokens.refresh_token!)).body).not.toHaveProperty("expires_in");
    const me = `${emulator.endpoints.apiBaseUrl}/ex/jira/${"11111111-1111-4111-8111-111111111111"}/rest/api/3/myself`;
    expect((await get(me, tokens.access_token)).status).toBe(200);
    emulator.clock.advance(120_000);
    expect((await get(me, tokens.access_token)).status).toBe(401);
  });

  it("honours accessTokenTtlSeconds", async () => {
    const emulator = await start({ accessTokenTtlSeconds: 60 });
    expect((await connect(emulator)).expires_in).toBe(60);
  });

  it("accepts a code once", async () => {
    const emulator = await start();
    const code = await codeFrom(emulator);
    expect((await postToken(emulator, { grant_type: "authorization_code", code, redirect_uri: CALLBACK })).status).toBe(200);
    const again = await postToken(emulator, { grant_type: "authorization_code", code, redirect_uri: CALLBACK });
    expect(again).toEqual({ status: 403, body: { error: "invalid_grant", error_description: "Invalid authorization code" } });
    expect(emulator.stats.codeExchanges).toBe(1);
  });

  it("expires a code after 10 minutes of emulator time", async () => {
    const emulator = await start();
    const early = await codeFrom(emulator);
    const late = await codeFrom(emulator);
    emulator.clock.advance(10 * MINUTE - 1);
    expect((await postToken(emulator, { grant_type: "authorization_code", code: early, redirect_uri: CALLBACK })).status).toBe(200);
    emulator.clock.advance(1);
    const expired = await postToken(emulator, { grant_type: "authorization_code", code: late, redirect_uri: CALLBACK });
    expect(expired).toEqual({ status: 403, body: { error: "invalid_grant", error_description: "Invalid authorization code" } });
  });

  it("rejects a redirect_uri that differs from the authorization request", async () => {
    const emulator = await start({ redirectUris: [CALLBACK, `${CALLBACK}-2`] });
    const code = await codeFrom(emulator);
    const answer = await postToken(emulator, { grant_type: "authorization_code", code, redirect_uri: `${CALLBACK}-2` });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toBe("invalid_grant");
  });

  it("rejects a wrong client secret with 401 access_denied, or the configured answer", async () => {
    const emulator = await start();
    const code = await codeFrom(emulator);
    const wrong = await postToken(emulator, { grant_type: "authorization_code", code, redirect_uri: CALLBACK, client_secret: "nope" });
    expect(wrong).toEqual({ status: 401, body: { error: "access_denied", error_description: "Unauthorized" } });
    const custom = await start({ invalidClient: { status: 403, body: { error: "invalid_client" } } });
    expect(await postToken(custom, { grant_type: "refresh_token", refresh_token: "x", client_id: "other" })).toEqual({ status: 403, body: { error: "invalid_client" } });
  });

  it("accepts form bodies unless acceptForm is off", async () => {
    const lenient = await start();
    const code = await codeFrom(lenient);
    expect((await postToken(lenient, { grant_type: "authorization_code", code, redirect_uri: CALLBACK }, "form")).status).toBe(200);
    const strict = await start({ acceptForm: false });
    const strictCode = await codeFrom(strict);
    const refused = await postToken(strict, { grant_type: "authorization_code", code: strictCode, redirect_uri: CALLBACK }, "form");
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("invalid_request");
  });

  it("rejects other grant types", async () => {
    const emulator = await start();
    const answer = await postToken(emulator, { grant_type: "client_credentials" });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("unsupported_grant_type");
  });
});

describe("refresh", () => {
  it("rotates the refresh token on every refresh", async () => {
    const emulator = await start();
    const first = await connect(emulator);
    const second = await refresh(emulator, first.refresh_token!);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: first.scope });
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    const third = await refresh(emulator, second.body.refresh_token as string);
    expect(third.status).toBe(200);
    expect(emulator.stats.refreshes).toBe(2);
  });

  it("still honours a rotated-out token inside the 10-minute window, with a fresh token", async () => {
    const emulator = await start();
    const first = await connect(emulator);
    const second = await refresh(emulator, first.refresh_token!);
    emulator.clock.advance(10 * MINUTE);
    const retry = await refresh(emulator, first.refresh_token!);
    expect(retry.status).toBe(200);
    expect(retry.body.refresh_token).not.toBe(second.body.refresh_token);
    expect(emulator.stats.reuseDetected).toBe(0);
    expect(emulator.isFamilyRevoked(first.refresh_token!)).toBe(false);
  });

  it("revokes the whole family when a rotated-out token comes back after the window", async () => {
    const emulator = await start();
    const first = await connect(emulator);
    const second = await refresh(emulator, first.refresh_token!);
    emulator.clock.advance(10 * MINUTE + 1);
    expect(await refresh(emulator, first.refresh_token!)).toEqual({ status: 403, body: INVALID_REFRESH });
    expect(await refresh(emulator, second.body.refresh_token as string)).toEqual({ status: 403, body: INVALID_REFRESH });
    expect(emulator.isFamilyRevoked(second.body.refresh_token as string)).toBe(true);
    expect(emulator.stats).toMatchObject({ reuseDetected: 1, familyRevocations: 1, refreshes: 1 });
    expect(emulator.grantOf("user-1")?.refreshChains).toBe(0);
  });

  it("lets several racing refreshers of one token all succeed inside the window", async () => {
    const emulator = await start();
    const first = await connect(emulator);
    const answers = [];
    for (let racer = 0; racer < 3; racer += 1) answers.push(await refresh(emulator, first.refresh_token!));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(new Set(answers.map((answer) => answer.body.refresh_token)).size).toBe(3);
    // The first racer's token was displaced by the others, and still has its own leeway.
    expect((await refresh(emulator, answers[0]!.body.refresh_token as string)).status).toBe(200);
    expect(emulator.stats.reuseDetected).toBe(0);
  });

  it("treats the token from two rotations back as reuse even inside the window", async () => {
    const emulator = await start();
    const first = await connect(emulator);
    const second = await refresh(emulator, first.refresh_token!);
    const third = await refresh(emulator, second.body.refresh_token as string);
    expect(third.status).toBe(200);
    expect(await refresh(emulator, first.refresh_token!)).toEqual({ status: 403, body: INVALID_REFRESH });
    expect(emulator.isFamilyRevoked(third.body.refresh_token as string)).toBe(true);
  });

  it("follows reuseWindowMs", async () => {
    const emulator = await start({ reuseWindowMs: 0 });
    const first = await connect(emulator);
    await refresh(emulator, first.refresh_token!);
    emulator.clock.advance(1);
    expect((await refresh(emulator, first.refresh_token!)).status).toBe(403);
    expect(emulator.stats.familyRevocations).toBe(1);
  });

  it("answers 403 invalid_grant for an unknown refresh token, without revoking anything", async () => {
    const emulator = await start();
    const first = await connect(emulator);
    expect(await refresh(emulator, "atl_rt_made_up")).toEqual({ status: 403, body: INVALID_REFRESH });
    expect((await refresh(emulator, first.refresh_token!)).status).toBe(200);
    expect(emulator.stats.reuseDetected).toBe(0);
  });

  it("expires a refresh token after 90 days without use, each refresh resetting the clock", async () => {
    const emulator = await start();
    const first = await connect(emulator);
    emulator.clock.advance(89 * DAY);
    const second = await refresh(emulator, first.refresh_token!);
    expect(second.status).toBe(200);
    emulator.clock.advance(89 * DAY);
    const third = await refresh(emulator, second.body.refresh_token as string);
    expect(third.status).toBe(200);
    emulator.clock.advance(90 * DAY + 1);
    expect(await refresh(emulator, third.body.refresh_token as string)).toEqual({ status: 403, body: INVALID_REFRESH });
    expect(emulator.stats.familyRevocations).toBe(0);
  });

  it("ends a chain 365 days after its consent, unless refreshMaxLifetimeMs is Infinity", async () => {
    for (const [refreshMaxLifetimeMs, expected] of [[undefined, 403], [Number.POSITIVE_INFINITY, 200]] as const) {
      const emulator = await start(refreshMaxLifetimeMs === undefined ? {} : { refreshMaxLifetimeMs });
      let token = (await connect(emulator)).refresh_token!;
      for (let period = 0; period < 4; period += 1) {
        emulator.clock.advance(80 * DAY);
        const next = await refresh(emulator, token);
        expect(next.status).toBe(200);
        token = next.body.refresh_token as string;
      }
      // Day 366: past the absolute lifetime, well inside the 90-day inactivity limit.
      emulator.clock.advance(46 * DAY);
      expect((await refresh(emulator, token)).status).toBe(expected);
    }
  });
});

describe("quirks of the refresh answer", () => {
  it("answers a dead refresh token with the configured unauthorized_client variant (400 or 403)", async () => {
    for (const status of [400, 403]) {
      const body = { error: "unauthorized_client", error_description: "refresh_token is invalid" };
      const emulator = await start({ deadRefreshTokenAnswer: { status, body } });
      const { refresh_token } = await connect(emulator);
      expect((await refresh(emulator, refresh_token!)).status).toBe(200);
      // The first token was rotated out; its reuse after the window is dead.
      emulator.clock.advance(11 * MINUTE);
      expect(await refresh(emulator, refresh_token!)).toEqual({ status, body });
      expect(await refresh(emulator, "atl_rt_unknown")).toEqual({ status, body });
      expect(emulator.stats.deadRefreshes).toBe(2);
    }
  });

  it("leaves refresh_token out of refresh answers with omitRefreshTokenOnRefresh, and the presented token keeps working", async () => {
    const emulator = await start({ omitRefreshTokenOnRefresh: true });
    const { refresh_token } = await connect(emulator);
    for (let round = 0; round < 3; round++) {
      emulator.clock.advance(60 * MINUTE);
      const answer = await refresh(emulator, refresh_token!);
      expect(answer.status).toBe(200);
      expect(answer.body.refresh_token).toBeUndefined();
      expect(answer.body.access_token).toEqual(expect.any(String));
    }
    expect(emulator.stats).toMatchObject({ refreshes: 3, reuseDetected: 0, deadRefreshes: 0 });
  });

  it("grants only the app's console scopes with appScopes (offline_access always), so read:me can be missing", async () => {
    const emulator = await start({ appScopes: ["read:jira-user"] });
    const tokens = await connect(emulator, { scope: "read:jira-user read:me offline_access" });
    expect(tokens.scope.split(" ").sort()).toEqual(["offline_access", "read:jira-user"]);
    expect((await get(emulator.endpoints.meUrl, tokens.access_token)).status).toBe(401);
  });
});

describe("one grant per user and app", () => {
  async function twoConsents(options: AtlassianEmulatorOptions = {}) {
    const emulator = await start({ sites: [JIRA_SITE, WIKI_SITE], ...options });
    const jira = await connect(emulator, { scope: "read:jira-user offline_access" });
    const wiki = await connect(emulator, { scope: "read:confluence-space.summary offline_access" });
    return { emulator, jira, wiki };
  }

  it("adds the second consent's sites and scopes to the same grant, and the earlier chain stays valid", async () => {
    const { emulator, jira, wiki } = await twoConsents();
    expect(emulator.grantOf("user-1")).toEqual({
      scopes: ["read:jira-user", "offline_access", "read:confluence-space.summary"],
      sites: [JIRA_SITE.id, WIKI_SITE.id],
      refreshChains: 2,
    });
    expect(wiki.scope).toBe("read:jira-user offline_access read:confluence-space.summary");
    const refreshed = await refresh(emulator, jira.refresh_token!);
    expect(refreshed.status).toBe(200);
    // The earlier chain now reaches Confluence too: one grant, one set of sites and scopes.
    const spaces = await get(`${emulator.endpoints.apiBaseUrl}/ex/confluence/${WIKI_SITE.id}/wiki/api/v2/spaces`, refreshed.body.access_token as string);
    expect(spaces.status).toBe(200);
  });

  it("ends the earlier chain on re-consent when reconsentKeepsRefreshChain is off", async () => {
    const { emulator, jira, wiki } = await twoConsents({ reconsentKeepsRefreshChain: false });
    expect(await refresh(emulator, jira.refresh_token!)).toEqual({ status: 403, body: INVALID_REFRESH });
    expect((await refresh(emulator, wiki.refresh_token!)).status).toBe(200);
    expect(emulator.isFamilyRevoked(jira.refresh_token!)).toBe(false);
  });

  it("revokes every chain of the grant when one chain's old token is reused", async () => {
    const { emulator, jira, wiki } = await twoConsents();
    await refresh(emulator, jira.refresh_token!);
    emulator.clock.advance(11 * MINUTE);
    expect((await refresh(emulator, jira.refresh_token!)).status).toBe(403);
    expect(await refresh(emulator, wiki.refresh_token!)).toEqual({ status: 403, body: INVALID_REFRESH });
    expect(emulator.isFamilyRevoked(wiki.refresh_token!)).toBe(true);
    expect(emulator.stats.familyRevocations).toBe(1);
    // A fresh consent gives a working chain again.
    const again = await connect(emulator, { scope: "read:jira-user offline_access" });
    expect((await refresh(emulator, again.refresh_token!)).status).toBe(200);
  });

  it("revokeUser kills access and refresh tokens, and the next consent starts a new grant", async () => {
    const emulator = await start({ sites: [JIRA_SITE, WIKI_SITE] });
    const tokens = await connect(emulator, { scope: "read:jira-user offline_access" });
    emulator.revokeUser("user-1");
    expect((await get(emulator.endpoints.accessibleResourcesUrl, tokens.access_token)).status).toBe(401);
    expect(await refresh(emulator, tokens.refresh_token!)).toEqual({ status: 403, body: INVALID_REFRESH });
    expect(emulator.isFamilyRevoked(tokens.refresh_token!)).toBe(true);
    expect(emulator.grantOf("user-1")).toBeUndefined();
    await connect(emulator, { scope: "read:confluence-space.summary offline_access" });
    expect(emulator.grantOf("user-1")?.scopes).toEqual(["read:confluence-space.summary", "offline_access"]);
  });
});

describe("accessible-resources and /me", () => {
  it("lists the grant's sites with the scopes that apply to each", async () => {
    const emulator = await start({ sites: [JIRA_SITE, FULL_SITE, { ...WIKI_SITE, avatarUrl: "https://example.com/wiki.png" }] });
    const tokens = await connect(emulator, { scope: "read:jira-work read:confluence-space.summary read:me offline_access" });
    const answer = await get(emulator.endpoints.accessibleResourcesUrl, tokens.access_token);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      { id: JIRA_SITE.id, url: JIRA_SITE.url, name: JIRA_SITE.name, scopes: ["read:jira-work"], avatarUrl: expect.stringMatching(/^https:\/\//) },
      { id: FULL_SITE.id, url: FULL_SITE.url, name: FULL_SITE.name, scopes: ["read:jira-work", "read:confluence-space.summary"], avatarUrl: expect.any(String) },
      { id: WIKI_SITE.id, url: WIKI_SITE.url, name: WIKI_SITE.name, scopes: ["read:confluence-space.summary"], avatarUrl: "https://example.com/wiki.png" },
    ]);
  });

  it("lists a site once per product family when resourcesPerProduct is on", async () => {
    const emulator = await start({ sites: [FULL_SITE], resourcesPerProduct: true });
    const tokens = await connect(emulator, { scope: "read:jira-work read:servicedesk-request read:confluence-space.summary" });
    const answer = (await get(emulator.endpoints.accessibleResourcesUrl, tokens.access_token)).body as Array<{ id: string; scopes: string[] }>;
    expect(answer.map((entry) => [entry.id, entry.scopes])).toEqual([
      [FULL_SITE.id, ["read:jira-work", "read:servicedesk-request"]],
      [FULL_SITE.id, ["read:confluence-space.summary"]],
    ]);
  });

  it("answers [] for a grant without sites, and lists listedSites the grant does not hold", async () => {
    const emulator = await start({ sites: [JIRA_SITE, FULL_SITE], users: [{ accountId: "guest", sites: [], listedSites: [FULL_SITE.id] }, { accountId: "nobody", sites: [] }] });
    const nobody = await connect(emulator, {}, { user: "nobody" });
    expect((await get(emulator.endpoints.accessibleResourcesUrl, nobody.access_token)).body).toEqual([]);
    const guest = await connect(emulator, {}, { user: "guest" });
    const listed = (await get(emulator.endpoints.accessibleResourcesUrl, guest.access_token)).body as Array<{ id: string }>;
    expect(listed.map((entry) => entry.id)).toEqual([FULL_SITE.id]);
    expect((await get(`${emulator.endpoints.apiBaseUrl}/ex/jira/${FULL_SITE.id}/rest/api/3/myself`, guest.access_token)).status).toBe(403);
  });

  it("answers 401 without a token, with an unknown one, and after the access token expires", async () => {
    const emulator = await start();
    const tokens = await connect(emulator);
    expect(await get(emulator.endpoints.accessibleResourcesUrl)).toEqual({ status: 401, body: { code: 401, message: "Unauthorized" } });
    expect((await get(emulator.endpoints.accessibleResourcesUrl, "atl_at_made_up")).status).toBe(401);
    emulator.clock.advance(3600 * 1000 - 1);
    expect((await get(emulator.endpoints.accessibleResourcesUrl, tokens.access_token)).status).toBe(200);
    emulator.clock.advance(1);
    expect((await get(emulator.endpoints.accessibleResourcesUrl, tokens.access_token)).status).toBe(401);
  });

  it("keeps access tokens alive until expiry after a family revocation (they are not refresh tokens)", async () => {
    const emulator = await start();
    const first = await connect(emulator);
    const second = await refresh(emulator, first.refresh_token!);
    emulator.clock.advance(11 * MINUTE);
    await refresh(emulator, first.refresh_token!);
    expect((await get(emulator.endpoints.accessibleResourcesUrl, second.body.access_token as string)).status).toBe(200);
  });

  it("serves /me with read:me and refuses it without", async () => {
    const emulator = await start({ users: [{ accountId: "557058:abc", email: "ada@example.com", name: "Ada" }, { accountId: "bob" }] });
    const withMe = await connect(emulator, { scope: "read:me read:jira-user" }, { user: "557058:abc" });
    const me = await get(emulator.endpoints.meUrl, withMe.access_token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ account_id: "557058:abc", email: "ada@example.com", name: "Ada" });
    // Another user: Ada's grant already holds read:me, and her later tokens would carry it.
    const without = await connect(emulator, { scope: "read:jira-user" }, { user: "bob" });
    expect(await get(emulator.endpoints.meUrl, without.access_token)).toEqual({ status: 401, body: { code: 401, message: "Unauthorized; scope does not match" } });
  });
});

describe("product APIs through the gateway", () => {
  const everything = "read:jira-user read:jira-work read:servicedesk-request read:confluence-space.summary offline_access";
  const paths = {
    myself: (site: string) => `/ex/jira/${site}/rest/api/3/myself`,
    projects: (site: string) => `/ex/jira/${site}/rest/api/3/project`,
    servicedesks: (site: string) => `/ex/jira/${site}/rest/servicedeskapi/servicedesk`,
    spaces: (site: string) => `/ex/confluence/${site}/wiki/api/v2/spaces`,
    currentUser: (site: string) => `/ex/confluence/${site}/wiki/rest/api/user/current`,
  };

  it("answers Jira's /myself and Confluence's current user with the user the token belongs to", async () => {
    const emulator = await start({ sites: [FULL_SITE], users: [{ accountId: "ada", name: "Ada" }, { accountId: "bob", name: "Bob" }] });
    const scope = "read:jira-user read:confluence-user offline_access";
    for (const user of ["ada", "bob"]) {
      const { access_token } = await connect(emulator, { scope }, { user });
      const at = (path: string) => get(`${emulator.endpoints.apiBaseUrl}${path}`, access_token);
      expect(await at(paths.myself(FULL_SITE.id))).toMatchObject({ status: 200, body: { accountId: user } });
      expect(await at(paths.currentUser(FULL_SITE.id))).toMatchObject({ status: 200, body: { type: "known", accountId: user, displayName: user === "ada" ? "Ada" : "Bob" } });
    }
  });

  it("answers each path with the product's shape when token, site and scope fit", async () => {
    const emulator = await start({ sites: [FULL_SITE], users: [{ accountId: "ada", email: "ada@example.com", name: "Ada" }] });
    const { access_token } = await connect(emulator, { scope: everything });
    const at = (path: string) => get(`${emulator.endpoints.apiBaseUrl}${path}`, access_token);
    expect(await at(paths.myself(FULL_SITE.id))).toMatchObject({ status: 200, body: { accountId: "ada", emailAddress: "ada@example.com", displayName: "Ada" } });
    expect(await at(paths.projects(FULL_SITE.id))).toMatchObject({ status: 200, body: [{ key: "DEMO" }] });
    expect(await at(paths.servicedesks(FULL_SITE.id))).toMatchObject({ status: 200, body: { values: [{ projectKey: "SUP" }] } });
    expect(await at(paths.spaces(FULL_SITE.id))).toMatchObject({ status: 200, body: { results: [{ key: "DEMO" }] } });
    expect(emulator.stats.apiCalls).toBe(4);
  });

  it("serves what jira.js and confluence.js call first: Jira's paginated project search and Confluence's v1 space list", async () => {
    const emulator = await start({ sites: [FULL_SITE] });
    const { access_token } = await connect(emulator, { scope: everything });
    const at = (path: string, token?: string) => get(`${emulator.endpoints.apiBaseUrl}${path}`, token);
    expect(await at(`/ex/jira/${FULL_SITE.id}/rest/api/3/project/search`, access_token)).toMatchObject({ status: 200, body: { startAt: 0, isLast: true, total: 1, values: [{ key: "DEMO" }] } });
    expect(await at(`/ex/confluence/${FULL_SITE.id}/wiki/rest/api/space`, access_token)).toMatchObject({ status: 200, body: { start: 0, size: 1, results: [{ key: "DEMO" }] } });
    expect((await at(`/ex/jira/${FULL_SITE.id}/rest/api/3/project/search`)).status).toBe(401);
  });

  it("answers 401 for a bad token, 404 for an unknown site or a product the site lacks", async () => {
    const emulator = await start({ sites: [JIRA_SITE] });
    const { access_token } = await connect(emulator, { scope: everything });
    const base = emulator.endpoints.apiBaseUrl;
    expect((await get(`${base}${paths.myself(JIRA_SITE.id)}`, "atl_at_bad")).status).toBe(401);
    expect(await get(`${base}${paths.myself("99999999-0000-4000-8000-000000000009")}`, access_token)).toEqual({ status: 404, body: { code: 404, message: "Not Found" } });
    expect((await get(`${base}${paths.spaces(JIRA_SITE.id)}`, access_token)).status).toBe(404);
    expect((await get(`${base}${paths.servicedesks(JIRA_SITE.id)}`, access_token)).status).toBe(404);
    expect((await get(`${base}${paths.myself(JIRA_SITE.id)}`, access_token)).status).toBe(200);
  });

  it("answers 403 for a site outside the grant, also after setSites removes it", async () => {
    const emulator = await start({ sites: [JIRA_SITE, FULL_SITE] });
    const { access_token } = await connect(emulator, { scope: everything }, { sites: [JIRA_SITE.id] });
    const base = emulator.endpoints.apiBaseUrl;
    expect((await get(`${base}${paths.myself(FULL_SITE.id)}`, access_token)).status).toBe(403);
    expect((await get(`${base}${paths.myself(JIRA_SITE.id)}`, access_token)).status).toBe(200);
    emulator.setSites("user-1", []);
    expect((await get(`${base}${paths.myself(JIRA_SITE.id)}`, access_token)).status).toBe(403);
    expect(() => emulator.setSites("user-1", ["unknown"])).toThrow(/not configured/);
  });

  it("answers a missing scope with 401 'scope does not match', or 403 by option", async () => {
    for (const [scopeMismatchStatus, message] of [[401, "Unauthorized; scope does not match"], [403, "Forbidden; scope does not match"]] as const) {
      const emulator = await start({ sites: [FULL_SITE], scopeMismatchStatus });
      const { access_token } = await connect(emulator, { scope: "read:jira-user" });
      const base = emulator.endpoints.apiBaseUrl;
      expect((await get(`${base}${paths.myself(FULL_SITE.id)}`, access_token)).status).toBe(200);
      for (const path of [paths.projects, paths.servicedesks, paths.spaces]) {
        expect(await get(`${base}${path(FULL_SITE.id)}`, access_token)).toEqual({ status: scopeMismatchStatus, body: { code: scopeMismatchStatus, message } });
      }
    }
  });
});

describe("faults", () => {
  it("answers 5xx, then the real thing", async () => {
    const emulator = await start();
    const code = await codeFrom(emulator);
    emulator.fault("token", { kind: "status", status: 503 }, 2);
    expect((await postToken(emulator, { grant_type: "authorization_code", code, redirect_uri: CALLBACK })).status).toBe(503);
    expect((await postToken(emulator, { grant_type: "authorization_code", code, redirect_uri: CALLBACK })).status).toBe(503);
    // A faulted call never reached the handler, so the code is still unspent.
    expect((await postToken(emulator, { grant_type: "authorization_code", code, redirect_uri: CALLBACK })).status).toBe(200);
    expect(emulator.counters.token).toBe(3);
    expect(emulator.stats.tokenCalls).toBe(1);
  });

  it("answers 429 with Retry-After", async () => {
    const emulator = await start();
    const { access_token } = await connect(emulator);
    emulator.fault("accessible_resources", { kind: "rate_limit", retryAfterSeconds: 7 });
    const limited = await fetch(emulator.endpoints.accessibleResourcesUrl, { headers: { authorization: `Bearer ${access_token}` } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect((await get(emulator.endpoints.accessibleResourcesUrl, access_token)).status).toBe(200);
  });

  it("delays an answer", async () => {
    const emulator = await start();
    const tokens = await connect(emulator);
    emulator.fault("token", { kind: "delay", ms: 150 });
    const started = performance.now();
    const answer = await refresh(emulator, tokens.refresh_token!);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(answer.status).toBe(200);
  });

  it("sends a malformed body", async () => {
    const emulator = await start();
    const tokens = await connect(emulator);
    emulator.fault("token", { kind: "malformed" });
    const response = await fetch(emulator.endpoints.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "refresh_token", client_id: emulator.clientId, client_secret: emulator.clientSecret, refresh_token: tokens.refresh_token }),
    });
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow();
  });

  it("drops the connection", async () => {
    const emulator = await start();
    emulator.fault("me", { kind: "disconnect" });
    await expect(fetch(emulator.endpoints.meUrl)).rejects.toThrow();
    expect((await get(emulator.endpoints.meUrl)).status).toBe(401);
  });
});

describe("counters and lifecycle", () => {
  it("counts per route and in stats, logs no bodies, and resets both", async () => {
    const emulator = await start();
    const tokens = await connect(emulator);
    await refresh(emulator, tokens.refresh_token!);
    await get(emulator.endpoints.accessibleResourcesUrl, tokens.access_token);
    expect(emulator.counters).toEqual({ authorize: 1, authorize_decision: 1, token: 2, accessible_resources: 1 });
    expect(emulator.stats).toEqual({ tokenCalls: 2, codeExchanges: 1, refreshes: 1, reuseDetected: 0, familyRevocations: 0, deadRefreshes: 0, apiCalls: 1 });
    expect(JSON.stringify(emulator.log)).not.toContain(tokens.refresh_token);
    expect(JSON.stringify(emulator.log)).not.toContain(tokens.access_token);
    emulator.resetCounters();
    expect(emulator.counters).toEqual({});
    expect(Object.values(emulator.stats).every((value) => value === 0)).toBe(true);
  });

  it("exposes its endpoints on one origin and frees the port on close", async () => {
    const emulator = await startAtlassianEmulator();
    expect(emulator.endpoints).toEqual({
      authorizeUrl: `${emulator.url}/authorize`,
      tokenUrl: `${emulator.url}/oauth/token`,
      accessibleResourcesUrl: `${emulator.url}/oauth/token/accessible-resources`,
      apiBaseUrl: emulator.url,
      meUrl: `${emulator.url}/me`,
    });
    expect(emulator.clientId).toBe("atlassian-test-client");
    await emulator.close();
    await expect(fetch(emulator.endpoints.meUrl)).rejects.toThrow();
  });

  it("refuses users that name unconfigured sites", async () => {
    await expect(startAtlassianEmulator({ users: [{ accountId: "x", sites: ["nowhere"] }] })).rejects.toThrow(/not configured/);
  });
});
