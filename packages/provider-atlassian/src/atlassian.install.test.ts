// Install against the emulator: the three providers, the authorize URL Atlassian expects, JSON client_secret_post
// exchange without PKCE, identityResolver, option validation, and the sibling scope union across Jira -> Confluence
// -> JSM (with non-Atlassian installs never looking siblings up).
import { MemoryStore, SdkError, createSDK, MemoryCache } from "@sdk/core";
import { type IntegrationFilter } from "@sdk/core/provider-kit";
import { defineOAuthProvider, type OAuthClientOptions, type OAuthProviderTuning } from "@sdk/oauth";
import { testEncryptionKey } from "@sdk/core/testing";
import { startOAuthEmulator } from "@sdk/oauth/testing";
import { afterEach, describe, expect, it } from "vitest";
import { failure, observe } from "../test/observe.js";
import { ATLASSIAN_DEFAULT_SCOPES, atlassian } from "./index.js";
import { SANDBOX_REDIRECT_URI, startAtlassianSandbox, type AtlassianSandbox } from "./testing.js";

const ACME = "11111111-1111-4111-8111-111111111111";
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function sandbox(options: Parameters<typeof startAtlassianSandbox>[0] = {}): Promise<AtlassianSandbox> {
  const started = await startAtlassianSandbox(options);
  closers.push(() => started.close());
  return started;
}

const base = { clientId: "client", clientSecret: "secret", redirectUri: SANDBOX_REDIRECT_URI };

function statePayload(state: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(state.split(".")[0]!, "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("atlassian()", () => {
  it("registers jira, jsm and confluence as OAuth strategies of the atlassian family", () => {
    const providers = atlassian(base);
    expect(providers.map((provider) => provider.id)).toEqual(["jira", "jsm", "confluence"]);
    for (const provider of providers) {
      expect(provider.family).toBe("atlassian");
      expect(provider.authType).toBe("oauth2");
      expect(provider.requires).toEqual({ cache: true, stateSecrets: true });
      // The facts the factory gave the engine (its flat options, behind the opaque provider type).
      expect((provider as unknown as { options: OAuthClientOptions & OAuthProviderTuning }).options).toMatchObject({ pkce: false, clientAuth: "client_secret_post", tokenRequestFormat: "json", defaultExpiresInSeconds: 3600 });
      expect(typeof provider.completeSiteSelection).toBe("function");
    }
    expect(() => createSDK({ store: new MemoryStore(), cache: new MemoryCache(), state: { secrets: [{ id: "s", secret: "x".repeat(32) }] }, encryption: { keys: [testEncryptionKey()] }, providers: [atlassian(base)] })).not.toThrow();
  });

  it("rejects bad options with misconfigured naming the field", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, clientId: "" }, "atlassian.clientId"],
      [{ ...base, clientSecret: undefined }, "atlassian.clientSecret"],
      [{ ...base, redirectUri: "not a url" }, "atlassian.redirectUri"],
      [{ ...base, scopes: { jira: ["read jira"] } }, "atlassian.scopes.jira[0]"],
      [{ ...base, scopes: { bitbucket: ["x"] } }, "atlassian.scopes.bitbucket"],
      [{ ...base, endpoints: { tokenUrl: "ftp://token" } }, "atlassian.endpoints.tokenUrl"],
      [{ ...base, identityResolver: "acct-1" }, "atlassian.identityResolver"],
      [{ ...base, siteSelectionTtlSeconds: 5 }, "atlassian.siteSelectionTtlSeconds"],
    ];
    for (const [options, field] of cases) {
      let caught: unknown;
      try {
        atlassian(options as never);
      } catch (error) {
        caught = error;
      }
      expect(SdkError.is(caught, "misconfigured"), field).toBe(true);
      expect((caught as SdkError).details.field).toBe(field);
    }
  });

  it("builds the authorize URL Atlassian expects for each product: audience, prompt=consent, offline_access, read:me, no PKCE", async () => {
    const s = await sandbox();
    for (const product of ["jira", "jsm", "confluence"] as const) {
      const install = await s.sdk.buildInstallUrl({ provider: product, user_id: "user-1", account_id: `acct-${product}` });
      const url = new URL(install.url);
      expect(`${url.origin}${url.pathname}`).toBe(s.emulator.endpoints.authorizeUrl);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        response_type: "code",
        client_id: s.emulator.clientId,
        redirect_uri: SANDBOX_REDIRECT_URI,
        scope: [...ATLASSIAN_DEFAULT_SCOPES[product], "offline_access", "read:me"].join(" "),
        state: install.state,
        audience: "api.atlassian.com",
        prompt: "consent",
      });
      expect(install.browser_binding.length).toBeGreaterThanOrEqual(32);
    }
  });

  it("lets each product's scopes be replaced, always adding offline_access and read:me, and adds buildInstallUrl scopes", async () => {
    const s = await sandbox({ provider: { scopes: { jira: ["read:jira-work"], confluence: ["read:confluence-content.all", "offline_access"] } } });
    const scopeOf = async (provider: string, extra: Record<string, unknown> = {}) =>
      new URL((await s.sdk.buildInstallUrl({ provider, user_id: "u", account_id: `a-${provider}`, ...extra })).url).searchParams.get("scope");
    expect(await scopeOf("jira")).toBe("read:jira-work offline_access read:me");
    expect(await scopeOf("confluence")).toBe("read:confluence-content.all offline_access read:me");
    expect(await scopeOf("jsm")).toBe([...ATLASSIAN_DEFAULT_SCOPES.jsm, "offline_access", "read:me"].join(" "));
    expect(await scopeOf("jira", { scopes: ["manage:jira-webhook"] })).toBe("read:jira-work offline_access read:me manage:jira-webhook");
  });

  it("exchanges the code as JSON with client_secret_post (the emulator refuses forms here) and returns an unsaved draft", async () => {
    const s = await sandbox({ emulator: { acceptForm: false } });
    const install = await s.sdk.buildInstallUrl({ provider: "jira", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await s.emulator.consent(install.url));
    const { integration } = await s.sdk.handleInstallCallback({
      provider: "jira",
      code: back.searchParams.get("code")!,
      state: back.searchParams.get("state")!,
      browser_binding: install.browser_binding,
    });
    expect(s.emulator.stats.codeExchanges).toBe(1);
    expect(integration).toMatchObject({ provider: "jira", account_id: "acct-1", created_by: "user-1", auth_type: "oauth2", metadata: { cloud_id: ACME } });
    expect(integration.credentials).toMatchObject({ token_type: "Bearer", access_token_expires_at: s.clock.now() + 3600_000 });
    expect(integration.credentials.refresh_token).toMatch(/^atl_rt_/);
    expect(await s.sdk.listConnections({ account_id: "acct-1" })).toEqual([]);
  });

  it("fills account_id and created_by with identityResolver when only user_id is given", async () => {
    const seen: string[] = [];
    const s = await sandbox({
      provider: {
        identityResolver: async (userId) => {
          seen.push(userId);
          return { account_id: `acct-of-${userId}`, created_by: `creator-${userId}` };
        },
      },
    });
    const install = await s.sdk.buildInstallUrl({ provider: "confluence", user_id: "u42" });
    expect(statePayload(install.state)).toMatchObject({ user_id: "u42", account_id: "acct-of-u42", created_by: "creator-u42" });
    const back = new URL(await s.emulator.consent(install.url));
    const { integration } = await s.sdk.handleInstallCallback({ provider: "confluence", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: install.browser_binding });
    expect(integration).toMatchObject({ account_id: "acct-of-u42", created_by: "creator-u42" });
    expect(seen).toEqual(["u42"]);
  });

  it("validates a preselected cloud_id and carries it in the signed state", async () => {
    const s = await sandbox();
    const error = await failure(s.sdk.buildInstallUrl({ provider: "jira", user_id: "u", account_id: "a", cloud_id: "../../admin" }));
    expect(error.code).toBe("validation_failed");
    expect(error.details.field).toBe("buildInstallUrl.cloud_id");
    const install = await s.sdk.buildInstallUrl({ provider: "jira", user_id: "u", account_id: "a", cloud_id: ACME });
    expect((statePayload(install.state).ctx as Record<string, unknown>).cloud_id).toBe(ACME);
  });

  it("maps a denied consent to authorization_denied and a wrong client secret to invalid_client", async () => {
    const s = await sandbox();
    const denied = await s.sdk.buildInstallUrl({ provider: "jira", user_id: "u", account_id: "a" });
    const deniedBack = new URL(await s.emulator.consent(denied.url, { approve: false }));
    const refusal = await failure(
      s.sdk.handleInstallCallback({ provider: "jira", error: deniedBack.searchParams.get("error")!, state: deniedBack.searchParams.get("state")!, browser_binding: denied.browser_binding }),
    );
    expect(refusal.code).toBe("authorization_denied");

    const wrong = await sandbox({ provider: { clientSecret: "not-the-secret" } });
    const install = await wrong.sdk.buildInstallUrl({ provider: "jira", user_id: "u", account_id: "a" });
    const back = new URL(await wrong.emulator.consent(install.url));
    const error = await failure(
      wrong.sdk.handleInstallCallback({ provider: "jira", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: install.browser_binding }),
    );
    expect(error.code).toBe("invalid_client");
    expect(error.details).toMatchObject({ status: 401, provider_error: "access_denied" });
  });

  it("keeps the engine's state checks: a wrong browser or a replayed state never reaches the token endpoint", async () => {
    const s = await sandbox();
    const install = await s.sdk.buildInstallUrl({ provider: "jira", user_id: "u", account_id: "a" });
    const back = new URL(await s.emulator.consent(install.url));
    const input = { provider: "jira", code: back.searchParams.get("code")!, state: back.searchParams.get("state")! };
    expect((await failure(s.sdk.handleInstallCallback({ ...input, browser_binding: "another-browser-binding-value" }))).code).toBe("state_binding_mismatch");
    await s.sdk.handleInstallCallback({ ...input, browser_binding: install.browser_binding });
    expect((await failure(s.sdk.handleInstallCallback({ ...input, browser_binding: install.browser_binding }))).code).toBe("state_replayed");
    expect(s.emulator.stats.tokenCalls).toBe(1);
  });
});

describe("sibling scope union", () => {
  it("requests the union of the account's Atlassian scopes across Jira -> Confluence -> JSM, with the siblings in the signed state", async () => {
    const s = await sandbox();
    const scopesOf = (url: string) => new URL(url).searchParams.get("scope")!.split(" ");
    const jiraInstall = await s.sdk.buildInstallUrl({ provider: "jira", user_id: "user-1", account_id: "acct-1" });
    expect((statePayload(jiraInstall.state).ctx as { siblings: string[] }).siblings).toEqual([]);
    const jira = await s.connect({ product: "jira" });
    expect(jira.scopes).toEqual([...ATLASSIAN_DEFAULT_SCOPES.jira, "offline_access", "read:me"]);

    const wikiInstall = await s.sdk.buildInstallUrl({ provider: "confluence", user_id: "user-1", account_id: "acct-1" });
    expect(new Set(scopesOf(wikiInstall.url))).toEqual(new Set([...ATLASSIAN_DEFAULT_SCOPES.confluence, "offline_access", "read:me", ...ATLASSIAN_DEFAULT_SCOPES.jira]));
    expect((statePayload(wikiInstall.state).ctx as { siblings: string[] }).siblings).toEqual([jira.id]);
    const wiki = await s.connect({ product: "confluence" });

    const jsmInstall = await s.sdk.buildInstallUrl({ provider: "jsm", user_id: "user-1", account_id: "acct-1" });
    const union = new Set([...ATLASSIAN_DEFAULT_SCOPES.jira, ...ATLASSIAN_DEFAULT_SCOPES.confluence, ...ATLASSIAN_DEFAULT_SCOPES.jsm, "offline_access", "read:me"]);
    expect(new Set(scopesOf(jsmInstall.url))).toEqual(union);
    expect((statePayload(jsmInstall.state).ctx as { siblings: string[] }).siblings).toEqual([jira.id, wiki.id]);
    const jsm = await s.connect({ product: "jsm" });
    expect(new Set(jsm.scopes)).toEqual(union);
    expect(new Set(s.emulator.grantOf("user-1")!.scopes)).toEqual(union);
  });

  it("looks only at the same account", async () => {
    const s = await sandbox();
    await s.connect({ product: "confluence", account_id: "acct-other" });
    const install = await s.sdk.buildInstallUrl({ provider: "jira", user_id: "user-1", account_id: "acct-1" });
    expect(new URL(install.url).searchParams.get("scope")).toBe([...ATLASSIAN_DEFAULT_SCOPES.jira, "offline_access", "read:me"].join(" "));
  });

  it("never lists integrations for a non-Atlassian provider in the same SDK", async () => {
    const server = await startOAuthEmulator({ redirectUris: ["https://app.example.test/callback/acme"] });
    closers.push(() => server.close());
    const memory = new MemoryStore();
    const lists: IntegrationFilter[] = [];
    const store = {
      get: memory.get.bind(memory),
      create: memory.create.bind(memory),
      update: memory.update.bind(memory),
      delete: memory.delete.bind(memory),
      list: (filter: IntegrationFilter) => {
        lists.push(filter);
        return memory.list(filter);
      },
    };
    const acme = defineOAuthProvider({
      id: "acme",
      client: { clientId: server.clientId, clientSecret: server.clientSecret, redirectUri: "https://app.example.test/callback/acme", scopes: ["read", "offline_access"] },
      endpoints: { authorizeUrl: server.authorizeUrl, tokenUrl: server.tokenUrl, apiBaseUrl: server.url },
    });
    const s = await sandbox({ store, extraProviders: [acme] });
    server.clock.set(s.clock.now());
    await s.connect({ product: "jira" });
    expect(lists.length).toBeGreaterThan(0);
    lists.length = 0;

    const install = await s.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await server.consent(install.url, { user: "user-1" }));
    const callback = await s.sdk.handleInstallCallback({ provider: "acme", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: install.browser_binding });
    const saved = await s.sdk.createConnection(callback.integration);
    await s.sdk.resolveConnection(saved.id);
    s.clock.advance(3600_000);
    server.clock.advance(3600_000);
    await s.sdk.resolveConnection(saved.id);
    expect(server.stats.refreshes).toBe(1);
    expect(lists).toEqual([]);
  });
});
