// Proves the generic engine against a real third-party authorization server, panva's oidc-provider, instead of our own
// fake: PKCE S256 (required by the server), signed browser-bound state, login + consent over HTTP, code exchange with
// each client authentication method, refresh-token rotation with reuse detection, and RFC 7009 revocation.
import { generateKeyPairSync, hash } from "node:crypto";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { MemoryCache, MemoryStore, SdkError, createSDK } from "@sdk/core";
import { CredentialCipher } from "@sdk/core/provider-kit";
import Provider, { type ClientAuthMethod as OidcClientAuthMethod, type ClientMetadata, type Configuration } from "oidc-provider";
import { afterEach, describe, expect, it, vi } from "vitest";
import { defineOAuthProvider } from "./define-oauth-provider.js";
import type { OAuthClientOptions } from "./oauth-provider-options.js";
import { ManualClock } from "./testing/manual-clock.js";
import { TokenClient, type ClientAuthMethod } from "./token-client.js";

const REDIRECT_URI = "https://app.example.test/callback/oidc";
const STATE_SECRETS = [{ id: "s1", secret: "state-secret-0123456789-abcdefghijklmnop" }];
const ENCRYPTION_KEYS = [{ id: "k1", key: Buffer.alloc(32, 7).toString("base64") }];
const ACCESS_TOKEN_TTL_SECONDS = 300;
const USER = "alice";
// Reserved characters make client_secret_basic prove its form-urlencoding (RFC 6749 2.3.1), which the server decodes.
const CLIENT_SECRET = "s3cret:with/reserved+chars%and spaces";
const SIGNING_KEY = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
// oidc-provider 9 calls URL.parse (Node 20.18) and crypto.hash (Node 20.12) while the workspace allows Node >= 20.11.
// (It also prints "Unsupported runtime" on any Node below 22 LTS: a notice of the author's support policy, not a failure.)
const NODE_READY = typeof URL.parse === "function" && typeof hash === "function";

interface OidcServer {
  issuer: string;
  clientId(method: ClientAuthMethod): string;
  /** Requests that reached the token endpoint. */
  readonly tokenCalls: number;
  /** `error: detail` of every rejected token request, in order (the detail never goes on the wire). */
  grantErrors: string[];
  close(): Promise<void>;
}

async function startOidcServer(): Promise<OidcServer> {
  const counts = { tokenCalls: 0, grantErrors: [] as string[] };
  let handle: RequestListener = (_request, response) => response.writeHead(503).end();
  const server = createServer((request, response) => {
    if (request.url?.split("?")[0] === "/token") counts.tokenCalls++;
    handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // The issuer must name the port, so oidc-provider is built after the listener has one.
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = (method: OidcClientAuthMethod): ClientMetadata => ({
    client_id: `sdk-${method}`,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: method,
    id_token_signed_response_alg: "ES256",
  });
  const configuration: Configuration = {
    clients: [client("client_secret_basic"), client("client_secret_post")],
    jwks: { keys: [{ ...SIGNING_KEY, kid: "test", use: "sig", alg: "ES256" }] },
    cookies: { keys: ["cookie-key-0123456789abcdef"] },
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    scopes: ["openid", "offline_access", "email"],
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
    },
    // Every client must send a challenge; oidc-provider 9 accepts S256 only.
    pkce: { required: () => true },
    // A refresh token only for grants that really hold offline_access (oidc-provider's rule, stated here so a
    // regression in how the engine asks for it fails this test instead of silently issuing one).
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed("refresh_token") && code.scopes.has("offline_access"),
    rotateRefreshToken: true,
    ttl: { AccessToken: ACCESS_TOKEN_TTL_SECONDS, AuthorizationCode: 60, IdToken: 300, Interaction: 600, Session: 3600, Grant: 86_400, RefreshToken: 86_400 },
    findAccount: async (_ctx, sub) =>
      sub === USER ? { accountId: sub, claims: async () => ({ sub, email: `${sub}@example.test`, email_verified: true }) } : undefined,
  };
  // oidc-provider announces its development-only parts (memory adapter, dev interactions) on console.warn.
  const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
  let provider: Provider;
  try {
    provider = new Provider(issuer, configuration);
  } finally {
    warn.mockRestore();
  }
  provider.on("grant.error", (_ctx, error) => counts.grantErrors.push(`${error.error}: ${error.error_detail ?? error.error_description}`));
  handle = provider.callback();
  return {
    issuer,
    clientId: (method) => `sdk-${method}`,
    get tokenCalls() {
      return counts.tokenCalls;
    },
    grantErrors: counts.grantErrors,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** The user agent: a cookie jar keyed by name and path, redirects followed by hand, HTML forms posted. */
class Browser {
  readonly #cookies = new Map<string, { name: string; value: string; path: string }>();
  /** The interaction prompts this browser answered, in order. */
  readonly prompts: string[] = [];

  async send(url: URL, body?: URLSearchParams): Promise<Response> {
    const cookie = [...this.#cookies.values()]
      .filter(({ path }) => url.pathname === path || url.pathname.startsWith(path.endsWith("/") ? path : `${path}/`))
      .map(({ name, value }) => `${name}=${value}`)
      .join("; ");
    const headers: Record<string, string> = {};
    if (cookie) headers.cookie = cookie;
    if (body) headers["content-type"] = "application/x-www-form-urlencoded";
    const response = await fetch(url, { method: body ? "POST" : "GET", headers, redirect: "manual", ...(body ? { body: body.toString() } : {}) });
    for (const line of response.headers.getSetCookie()) this.#keep(line);
    return response;
  }

  #keep(line: string): void {
    const [pair = "", ...attributes] = line.split(";");
    const split = pair.indexOf("=");
    const name = pair.slice(0, split).trim();
    const value = pair.slice(split + 1).trim();
    let path = "/";
    let expired = value === "";
    for (const attribute of attributes) {
      const [key = "", argument = ""] = attribute.trim().split("=");
      if (key.toLowerCase() === "path") path = argument;
      if (key.toLowerCase() === "expires" && Date.parse(argument) <= Date.now()) expired = true;
      if (key.toLowerCase() === "max-age" && Number(argument) <= 0) expired = true;
    }
    if (expired) this.#cookies.delete(`${name};${path}`);
    else this.#cookies.set(`${name};${path}`, { name, value, path });
  }

  /** Opens the install URL, signs in and consents on oidc-provider's pages, and returns the redirect to our callback. */
  async authorize(installUrl: string, login: string): Promise<URL> {
    let at = new URL(installUrl);
    let response = await this.send(at);
    for (let step = 0; step < 16; step++) {
      if (response.status === 302 || response.status === 303) {
        await response.body?.cancel();
        at = new URL(response.headers.get("location")!, at);
        if (`${at.origin}${at.pathname}` === REDIRECT_URI) return at;
        response = await this.send(at);
        continue;
      }
      const html = await response.text();
      if (response.status !== 200) {
        const text = html.replace(/<style[\s\S]*?<\/style>|<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
        throw new Error(`oidc-provider answered HTTP ${response.status} at ${at.pathname}: ${text.slice(0, 300)}`);
      }
      const action = /<form[^>]*\baction="([^"]+)"[^>]*\bmethod="post"/i.exec(html)?.[1];
      if (!action) throw new Error(`no form on oidc-provider's page at ${at.pathname}`);
      const fields = new URLSearchParams();
      for (const input of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/?>/g)) fields.set(input[1]!, input[2]!);
      const prompt = fields.get("prompt") ?? "unknown";
      this.prompts.push(prompt);
      if (prompt === "login") {
        fields.set("login", login);
        fields.set("password", "any password");
      }
      at = new URL(action.replaceAll("&amp;", "&"), at);
      response = await this.send(at, fields);
    }
    throw new Error("the authorization did not reach the redirect URI within 16 steps");
  }
}

let server: OidcServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function setUp(clientAuth: ClientAuthMethod, overrides: Partial<OAuthClientOptions> = {}) {
  const oidc = server!;
  const clock = new ManualClock(Date.now());
  const store = new MemoryStore();
  const provider = defineOAuthProvider({
    id: "oidc",
    client: {
      clientId: oidc.clientId(clientAuth),
      clientSecret: CLIENT_SECRET,
      clientAuth,
      redirectUri: REDIRECT_URI,
      scopes: ["openid", "offline_access", "email"],
      pkce: true,
      // OpenID Connect grants offline_access only with prompt=consent (Core 1.0 section 11).
      authorizeParams: { prompt: "consent" },
      ...overrides,
    },
    endpoints: { authorizeUrl: `${oidc.issuer}/auth`, tokenUrl: `${oidc.issuer}/token`, revokeUrl: `${oidc.issuer}/token/revocation`, apiBaseUrl: oidc.issuer },
    tuning: { retry: { attempts: 1 }, timeoutMs: 5000 },
  });
  const sdk = createSDK({
    store,
    cache: new MemoryCache({ now: clock.now }),
    now: clock.now,
    state: { secrets: STATE_SECRETS },
    encryption: { keys: ENCRYPTION_KEYS },
    providers: [provider],
  });
  const cipher = new CredentialCipher(ENCRYPTION_KEYS);
  return {
    sdk,
    clock,
    /** buildInstallUrl, then the browser signs in and consents; returns what lands on the redirect URI as callback input. */
    async authorize() {
      const install = await sdk.buildInstallUrl({ provider: "oidc", user_id: USER, account_id: "acct-1" });
      const browser = new Browser();
      const back = await browser.authorize(install.url, USER);
      const param = (name: string) => back.searchParams.get(name) ?? undefined;
      const input = { provider: "oidc" as const, code: param("code"), state: param("state"), error: param("error"), browser_binding: install.browser_binding };
      return { install, browser, back, input };
    },
    /** The refresh token as the persistent store really holds it: an envelope, decrypted here with the same key. */
    async storedRefreshToken(id: string): Promise<{ envelope: unknown; token: string }> {
      const record = (await store.get(id))!;
      const envelope = record.credentials.refresh_token;
      return { envelope, token: cipher.decrypt(record, "refresh_token", envelope) as string };
    },
  };
}

async function userinfo(issuer: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${issuer}/me`, { headers });
  return { status: response.status, body: await response.json() };
}

const caught = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

describe.skipIf(!NODE_READY)("oidc-provider 9 (needs Node >= 20.18)", () => {
  describe.each(["client_secret_basic", "client_secret_post"] as const)("the engine against oidc-provider (%s)", (clientAuth) => {
    it("installs over HTTP, refreshes with rotation, and maps reuse of the old refresh token to needs_reauth", async () => {
      const oidc = (server = await startOidcServer());
      const { sdk, clock, authorize, storedRefreshToken } = setUp(clientAuth);
      const events: string[] = [];
      sdk.events.on("token.refreshed", () => events.push("refreshed"));
      sdk.events.on("connection.needs_reauth", (payload) => events.push(`needs_reauth:${payload.integration_id}`));

      const { install, browser, back, input } = await authorize();
      const asked = new URL(install.url).searchParams;
      expect(asked.get("code_challenge_method")).toBe("S256");
      expect(asked.get("scope")).toBe("openid offline_access email");
      expect(browser.prompts).toEqual(["login", "consent"]);
      expect(back.searchParams.get("state")).toBe(install.state);
      expect(back.searchParams.get("iss")).toBe(oidc.issuer);
      expect(oidc.tokenCalls).toBe(0);

      const callback = await sdk.handleInstallCallback(input);
      expect(oidc.tokenCalls).toBe(1);
      expect(callback.integration.scopes).toEqual(expect.arrayContaining(["openid", "offline_access", "email"]));
      const saved = await sdk.createConnection(callback.integration);
      expect(saved.status).toBe("active");

      const first = await sdk.resolveConnection(saved.id);
      expect(oidc.tokenCalls).toBe(1);
      const me = await sdk.fetch(saved.id, "/me");
      expect(me.status).toBe(200);
      expect(await me.json()).toEqual({ sub: USER, email: `${USER}@example.test`, email_verified: true });
      const before = await storedRefreshToken(saved.id);
      expect(before.envelope).toMatchObject({ v: 2, kid: "k1" });

      // The SDK's clock passes the access token's expiry: the next resolve refreshes and the server rotates.
      clock.advance(ACCESS_TOKEN_TTL_SECONDS * 1000);
      const second = await sdk.resolveConnection(saved.id);
      expect(oidc.tokenCalls).toBe(2);
      expect(events).toEqual(["refreshed"]);
      expect(second.access_token).not.toBe(first.access_token);
      const after = await storedRefreshToken(saved.id);
      expect(after.token).not.toBe(before.token);
      expect(after.envelope).not.toEqual(before.envelope);
      expect(await userinfo(oidc.issuer, second.headers)).toEqual({ status: 200, body: expect.objectContaining({ sub: USER }) });

      // A second record holding the rotated-out refresh token presents it: the server rejects it as reused.
      const stale = await sdk.createConnection({
        provider: "oidc",
        account_id: "acct-1",
        created_by: USER,
        auth_type: "oauth2",
        scopes: callback.integration.scopes,
        credentials: { refresh_token: before.token },
      });
      const reused = await caught(sdk.resolveConnection(stale.id));
      expect(SdkError.is(reused, "reauth_required")).toBe(true);
      expect((reused as SdkError).details).toMatchObject({ status: 400, provider_error: "invalid_grant" });
      expect(oidc.grantErrors).toEqual(["invalid_grant: refresh token already used"]);
      expect((await sdk.getConnection(stale.id)).status).toBe("needs_reauth");

      // RFC 9700 4.14.2: reuse revokes the whole grant, so the live record's current refresh token dies with it.
      await sdk.invalidateConnection(saved.id);
      const revoked = await caught(sdk.resolveConnection(saved.id));
      expect(SdkError.is(revoked, "reauth_required")).toBe(true);
      expect((await sdk.getConnection(saved.id)).status).toBe("needs_reauth");
      expect(events).toEqual(["refreshed", `needs_reauth:${stale.id}`, `needs_reauth:${saved.id}`]);
      expect(oidc.tokenCalls).toBe(4);
      // needs_reauth is final: no further token call until the user connects again.
      expect(SdkError.is(await caught(sdk.resolveConnection(saved.id)), "reauth_required")).toBe(true);
      expect(oidc.tokenCalls).toBe(4);
    });
  });

  describe("the engine against oidc-provider: state, PKCE and revocation", () => {
    it("rejects a callback with the wrong browser binding before the token endpoint, and the right one still completes", async () => {
      const oidc = (server = await startOidcServer());
      const { sdk, authorize } = setUp("client_secret_basic");
      const rejected: string[] = [];
      sdk.events.on("state.rejected", (payload) => rejected.push(payload.code));
      const { input } = await authorize();

      const other = await sdk.buildInstallUrl({ provider: "oidc", user_id: USER, account_id: "acct-1" });
      const error = await caught(sdk.handleInstallCallback({ ...input, browser_binding: other.browser_binding }));
      expect(SdkError.is(error, "state_binding_mismatch")).toBe(true);
      expect(rejected).toEqual(["state_binding_mismatch"]);
      expect(oidc.tokenCalls).toBe(0);

      // The reject burnt neither the state nonce nor the code: the browser that started the install still finishes.
      const callback = await sdk.handleInstallCallback(input);
      expect(callback.integration.credentials).toHaveProperty("refresh_token");
      expect(oidc.tokenCalls).toBe(1);
    });

    it("sees the server refuse an authorization request without PKCE (the happy path's S256 pair is really checked)", async () => {
      const oidc = (server = await startOidcServer());
      const { sdk, authorize } = setUp("client_secret_basic", { pkce: false });
      const { install, browser, input } = await authorize();
      expect(new URL(install.url).searchParams.has("code_challenge")).toBe(false);
      expect(browser.prompts).toEqual([]);
      expect(input.error).toBe("invalid_request");
      const error = await caught(sdk.handleInstallCallback(input));
      expect(SdkError.is(error, "authorization_denied")).toBe(true);
      expect((error as SdkError).details).toMatchObject({ provider_error: "invalid_request" });
      expect(oidc.tokenCalls).toBe(0);
    });

    it("revokes the grant through RFC 7009 on deleteConnection({ revoke: true })", async () => {
      const oidc = (server = await startOidcServer());
      const { sdk, authorize, storedRefreshToken } = setUp("client_secret_post");
      const callback = await sdk.handleInstallCallback((await authorize()).input);
      const saved = await sdk.createConnection(callback.integration);
      const { token } = await storedRefreshToken(saved.id);

      expect(await sdk.deleteConnection(saved.id, { revoke: true })).toEqual({ deleted: true, revoked: true });
      const client = new TokenClient({ provider: "oidc", fetch, clientId: oidc.clientId("client_secret_post"), clientSecret: CLIENT_SECRET, clientAuth: "client_secret_post", retry: { attempts: 1 } });
      const error = await caught(client.post(`${oidc.issuer}/token`, { grant_type: "refresh_token", refresh_token: token }));
      expect(SdkError.is(error, "reauth_required")).toBe(true);
      expect((error as SdkError).details).toMatchObject({ provider_error: "invalid_grant" });
      expect(oidc.grantErrors).toEqual(["invalid_grant: refresh token not found"]);
    });
  });
});
