// sentryOrgToken(): org auth tokens (`sntrys_…`, org:ci only) and internal-integration tokens (64-hex) as a static
// provider next to sentry(): validation of token kind, org slug and host on input, the runtime, sdk.fetch against
// the emulator (what each kind may call), no network on resolve, upsert per org.
import { MemoryCache, MemoryStore, SdkError, createSDK, type IntegrationDraft } from "@sdk/core";
import { describe, expect, it } from "vitest";
import { ENCRYPTION_KEYS, STATE_SECRETS, useHarness, type Harness } from "../test/harness.js";
import { sentryOrgToken, type SentryOrgTokenRuntime } from "./sentry-org-token.js";

const start = useHarness();

const connection = (token: string, metadata: Record<string, unknown> = { org_slug: "acme" }) => ({
  provider: "sentry-org-token" as const,
  account_id: "acct-1",
  created_by: "user-1",
  credentials: { token },
  metadata,
});

async function failure(run: Promise<unknown>): Promise<SdkError> {
  const error = await run.catch((caught: unknown) => caught);
  if (!SdkError.is(error)) throw new Error("expected an SdkError");
  return error;
}

describe("sentryOrgToken", () => {
  it("stores an internal-integration token, resolves it with no network call and fetches the org's projects", async () => {
    const h = await start();
    const token = h.emulator.createInternalIntegrationToken("acme");
    const saved = await h.sdk.createConnection(connection(token));
    expect(saved).toMatchObject({ provider: "sentry-org-token", auth_type: "mapped_credentials", natural_key: "sentry.io/acme", credential_fields: ["token"] });
    expect(JSON.stringify(await h.store.get(saved.id))).not.toContain(token);

    const runtime = await h.sdk.resolveConnection<SentryOrgTokenRuntime>(saved.id);
    expect(runtime).toEqual({
      provider: "sentry-org-token",
      integration_id: saved.id,
      account_id: "acct-1",
      org_slug: "acme",
      host: "sentry.io",
      base_url: "https://sentry.io",
      api_base_url: h.emulator.url,
      access_token: token,
      token,
      token_kind: "internal_integration",
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(h.emulator.log).toEqual([]);

    h.clock.advance(365 * 24 * 60 * 60 * 1000);
    const response = await h.sdk.fetch(saved.id, "/api/0/organizations/acme/projects/");
    expect(response.status).toBe(200);
    expect(h.emulator.stats.apiCalls).toBe(1);
  });

  it("an org auth token (sntrys_, org:ci only) may create and list releases but not list projects", async () => {
    const h = await start();
    const token = h.emulator.createOrgAuthToken("acme");
    const saved = await h.sdk.createConnection(connection(token));
    expect(await h.sdk.resolveConnection(saved.id)).toMatchObject({ token_kind: "org_auth_token", org_slug: "acme" });
    const created = await h.sdk.fetch(saved.id, "/api/0/organizations/acme/releases/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ version: "1.2.3" }),
    });
    expect(created.status).toBe(201);
    const listed = await h.sdk.fetch(saved.id, "/api/0/organizations/acme/releases/");
    expect(((await listed.json()) as Array<{ version: string }>).map((release) => release.version)).toEqual(["1.2.3"]);
    expect((await h.sdk.fetch(saved.id, "/api/0/organizations/acme/projects/")).status).toBe(403);
    expect((await h.sdk.fetch(saved.id, "/api/0/organizations/globex/releases/")).status).toBe(403);
  });

  it("lives next to sentry() in one SDK under its own provider id", async () => {
    const h = await start();
    const installed = await h.connect();
    const orgToken = await h.sdk.createConnection(connection(h.emulator.createInternalIntegrationToken("acme")));
    const listed = await h.sdk.listConnections({ account_id: "acct-1" });
    expect(listed.map((item) => [item.provider, item.auth_type]).sort()).toEqual([
      ["sentry", "oauth2"],
      ["sentry-org-token", "mapped_credentials"],
    ]);
    expect(listed.map((item) => item.id).sort()).toEqual([installed.id, orgToken.id].sort());
  });

  it("validates the token, the org slug and the host, naming the field and never echoing the token", async () => {
    const h = await start();
    const planted = "sntrys_" + "planted0secret0".repeat(3);
    const cases: Array<[IntegrationDraft, string]> = [
      [connection("sntryu_" + "a".repeat(40)), "createConnection.credentials.token"],
      [connection("sntrys_short"), "createConnection.credentials.token"],
      [connection("A".repeat(64)), "createConnection.credentials.token"],
      [connection("a".repeat(63)), "createConnection.credentials.token"],
      [connection(`${planted} x`), "createConnection.credentials.token"],
      [connection(planted, { org_slug: "Acme Inc" }), "createConnection.metadata.org_slug"],
      [connection(planted, { org_slug: "12345" }), "createConnection.metadata.org_slug"],
      [connection(planted, {}), "createConnection.metadata.org_slug"],
      [connection(planted, { org_slug: "acme", host: "evil.example.com" }), "createConnection.metadata.host"],
      [connection(planted, { org_slug: "acme", host: "https://de.sentry.io" }), "createConnection.metadata.host"],
      [{ ...connection(planted), credentials: { token: planted, api_key: planted } }, "createConnection.credentials.api_key"],
    ];
    for (const [input, field] of cases) {
      const error = await failure(h.sdk.createConnection(input));
      expect(error.code).toBe("validation_failed");
      expect(error.details.field).toBe(field);
      expect(JSON.stringify(error) + error.message + error.stack).not.toContain("planted0secret0");
    }
    expect(await h.sdk.listConnections({ account_id: "acct-1" })).toEqual([]);
  });

  it("a region host from the SaaS set goes into the runtime", async () => {
    const sdk = createSDK({ store: new MemoryStore(), cache: new MemoryCache(), state: { secrets: STATE_SECRETS }, encryption: { keys: ENCRYPTION_KEYS }, providers: [sentryOrgToken()] });
    const saved = await sdk.createConnection(connection("sntrys_" + "b".repeat(40), { org_slug: "acme", host: "de.sentry.io" }));
    expect(saved.natural_key).toBe("de.sentry.io/acme");
    expect(await sdk.resolveConnection(saved.id)).toMatchObject({ host: "de.sentry.io", base_url: "https://de.sentry.io", api_base_url: "https://de.sentry.io" });
  });

  it("a self-hosted factory accepts only its own host", async () => {
    const sdk = createSDK({ store: new MemoryStore(), encryption: { keys: ENCRYPTION_KEYS }, providers: [sentryOrgToken({ host: "sentry.example.com" })] });
    const error = await failure(sdk.createConnection(connection("sntrys_" + "c".repeat(40), { org_slug: "acme", host: "sentry.io" })));
    expect(error.details.field).toBe("createConnection.metadata.host");
    const saved = await sdk.createConnection(connection("sntrys_" + "c".repeat(40)));
    expect(await sdk.resolveConnection(saved.id)).toMatchObject({ host: "sentry.example.com", api_base_url: "https://sentry.example.com" });
  });

  it("upserts per host and org; updateCredentials swaps the token with the same validation", async () => {
    const h = await start();
    const first = await h.sdk.createConnection(connection(h.emulator.createInternalIntegrationToken("acme")));
    const again = await h.sdk.createConnection(connection(h.emulator.createInternalIntegrationToken("acme")));
    const other = await h.sdk.createConnection(connection(h.emulator.createInternalIntegrationToken("globex"), { org_slug: "globex" }));
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);

    const replacement = h.emulator.createInternalIntegrationToken("acme");
    await h.sdk.updateCredentials(first.id, { token: replacement });
    expect((await h.sdk.resolveConnection<SentryOrgTokenRuntime>(first.id)).token).toBe(replacement);
    expect((await failure(h.sdk.updateCredentials(first.id, { token: "not-a-sentry-token-at-all" }))).details.field).toBe("updateCredentials.credentials.token");
  });

  it("a revoked org token surfaces as the API's 401 (static credentials are not refreshed)", async () => {
    const h = await start();
    const token = h.emulator.createInternalIntegrationToken("acme");
    const saved = await h.sdk.createConnection(connection(token));
    h.emulator.revokeOrgToken(token);
    const response = await h.sdk.fetch(saved.id, "/api/0/organizations/acme/projects/");
    expect(response.status).toBe(401);
    expect(h.emulator.stats.apiCalls).toBe(1);
  });

  it("tokenPrefixes adds accepted prefixes to the two kinds Sentry issues", async () => {
    const sdk = createSDK({ store: new MemoryStore(), encryption: { keys: ENCRYPTION_KEYS }, providers: [sentryOrgToken({ tokenPrefixes: ["sntryi_"] })] });
    const extra = await sdk.createConnection(connection("sntryi_" + "d".repeat(40)));
    expect(await sdk.resolveConnection(extra.id)).toMatchObject({ token_kind: "other" });
    await expect(sdk.createConnection(connection("sntrys_" + "d".repeat(40), { org_slug: "globex" }))).resolves.toMatchObject({ provider: "sentry-org-token" });
    expect((await failure(sdk.createConnection(connection("sntryu_" + "d".repeat(40))))).message).toContain('"sntryi_"');
  });

  it.each([
    [{ host: "https://sentry.io" }, "sentryOrgToken.host"],
    [{ tokenPrefixes: [""] }, "sentryOrgToken.tokenPrefixes[0]"],
    [{ endpoints: { apiBaseUrl: "https://sentry.io/api/0" } }, "sentryOrgToken.endpoints.apiBaseUrl"],
    [{ orgSlug: "acme" }, "sentryOrgToken.orgSlug"],
  ])("refuses option %j as misconfigured naming %s", (options, field) => {
    let error: unknown;
    try {
      sentryOrgToken(options as Parameters<typeof sentryOrgToken>[0]);
    } catch (caught) {
      error = caught;
    }
    expect(SdkError.is(error, "misconfigured")).toBe(true);
    expect((error as SdkError).details.field).toBe(field);
  });
});
