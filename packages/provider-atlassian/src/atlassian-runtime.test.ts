// The runtime every Atlassian integration resolves to, per product, against the emulator and with the default
// (production) gateway URL; and what happens to a record without a site.
import { type Integration } from "@sdk/core";
import { CredentialCipher, accessTokenKey } from "@sdk/core/provider-kit";
import { tokenCodec, type OAuthEndpoints, type OAuthProviderHooks } from "@sdk/oauth";
import { afterEach, describe, expect, it } from "vitest";
import { failure } from "../test/observe.js";
import { atlassian, type AtlassianRuntime } from "./index.js";
import { SANDBOX_REDIRECT_URI, startAtlassianSandbox, type AtlassianSandbox } from "./testing.js";

const ACME = "11111111-1111-4111-8111-111111111111";
const running: AtlassianSandbox[] = [];
/** The options a factory gave the engine (flat, behind the opaque provider type). */
const engineOptions = (provider: unknown) => (provider as { options: OAuthEndpoints & OAuthProviderHooks }).options;
afterEach(async () => {
  await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
});

async function sandbox(): Promise<AtlassianSandbox> {
  const started = await startAtlassianSandbox();
  running.push(started);
  return started;
}

describe("runtime", () => {
  it("has the documented shape for jira, jsm and confluence, and sdk.fetch reaches each product", async () => {
    const s = await sandbox();
    const paths = { jira: "/rest/api/3/myself", jsm: "/rest/servicedeskapi/servicedesk", confluence: "/wiki/api/v2/spaces" };
    for (const product of ["jira", "jsm", "confluence"] as const) {
      const saved = await s.connect({ product });
      const runtime = await s.sdk.resolveConnection<AtlassianRuntime>(saved.id);
      const gateway = product === "confluence" ? "confluence" : "jira";
      expect(runtime).toEqual({
        provider: product,
        integration_id: saved.id,
        account_id: "acct-1",
        cloud_id: ACME,
        site_url: "https://acme.atlassian.net",
        site_name: "acme",
        api_base_url: `${s.emulator.endpoints.apiBaseUrl}/ex/${gateway}/${ACME}`,
        access_token: expect.stringMatching(/^atl_at_/),
        token_type: "Bearer",
        expires_at: new Date(s.clock.now() + 3600_000).toISOString(),
        scopes: saved.scopes,
        headers: { Authorization: `Bearer ${runtime.access_token}` },
      });
      const response = await s.sdk.fetch(saved.id, paths[product]);
      expect(response.status).toBe(200);
    }
    const myself = (await (await s.sdk.fetch((await s.sdk.listConnections({ account_id: "acct-1", provider: "jira" }))[0]!.id, "/rest/api/3/myself")).json()) as { accountId: string };
    expect(myself.accountId).toBe("user-1");
  });

  it("points at https://api.atlassian.com/ex/{jira|confluence}/{cloud_id} by default", () => {
    const [jira, jsm, confluence] = atlassian({ clientId: "c", clientSecret: "s", redirectUri: SANDBOX_REDIRECT_URI });
    const integration = { id: "i1", provider: "jira", account_id: "a1", metadata: { cloud_id: ACME, site_url: "https://acme.atlassian.net", site_name: "acme" } } as unknown as Integration;
    const tokens = { "": { access_token: "t", token_type: "Bearer", expires_at: 0, scopes: [] } };
    expect(engineOptions(jira).runtime!(integration, tokens).api_base_url).toBe(`https://api.atlassian.com/ex/jira/${ACME}`);
    expect(engineOptions(jsm).runtime!(integration, tokens).api_base_url).toBe(`https://api.atlassian.com/ex/jira/${ACME}`);
    expect(engineOptions(confluence).runtime!(integration, tokens).api_base_url).toBe(`https://api.atlassian.com/ex/confluence/${ACME}`);
    expect(engineOptions(jira)).toMatchObject({ authorizeUrl: "https://auth.atlassian.com/authorize", tokenUrl: "https://auth.atlassian.com/oauth/token" });
  });

  it("refuses to resolve a record without cloud_id (e.g. written by 1.x) and to store one", async () => {
    const s = await sandbox();
    const now = new Date(s.clock.now()).toISOString();
    await s.store.create({
      id: "legacy-1",
      provider: "jira",
      account_id: "acct-1",
      created_by: "user-1",
      auth_type: "oauth2",
      status: "active",
      scopes: [],
      // Sealed like any record (a plaintext one is refused earlier, by requireEncrypted).
      credentials: { refresh_token: new CredentialCipher(s.keys).encrypt({ id: "legacy-1", provider: "jira", account_id: "acct-1", metadata: {} }, "refresh_token", "atl_rt_legacy") },
      metadata: {},
      natural_key: null,
      version: 0,
      created_at: now,
      updated_at: now,
    });
    const tokenKey = accessTokenKey("jira", "legacy-1", "acct-1");
    const sealed = tokenCodec({ cipher: new CredentialCipher(s.keys), accessTokenCache: "encrypted" }).encode(tokenKey, { access_token: "atl_at_legacy", token_type: "Bearer", expires_at: s.clock.now() + 3600_000, scopes: [] });
    await s.cache.set(tokenKey, sealed, 3_000_000);
    const error = await failure(s.sdk.resolveConnection("legacy-1"));
    expect(error.code).toBe("validation_failed");
    expect(error.details.field).toBe("integration.metadata.cloud_id");

    const draft = { provider: "jira", account_id: "acct-1", created_by: "user-1", credentials: { refresh_token: "atl_rt_x" }, metadata: { site_url: "https://acme.atlassian.net", site_name: "acme" } };
    const refused = await failure(s.sdk.createConnection(draft));
    expect(refused.code).toBe("validation_failed");
    expect(refused.details.field).toBe("createConnection.metadata.cloud_id");
  });
});
