// sentry(): the install flow against the emulator over HTTP (external install with `?state=`, which Sentry copies
// into its redirect; JSON 201 exchange; the installation's organization checked; verify install), the runtime and
// sdk.fetch, region hosts and option / input validation.
import { MemoryCache, MemoryStore, SdkError, createSDK } from "@sdk/core";
import { accessTokenKey } from "@sdk/core/provider-kit";
import { describe, expect, it } from "vitest";
import { EIGHT_HOURS, ENCRYPTION_KEYS, STATE_SECRETS, codeOf, installDraft, useHarness, type Harness } from "../test/harness.js";
import { sentry, type SentryRuntime } from "./sentry.js";
import { readCachedToken } from "@sdk/oauth/testing";
import { sentryOptionsFor } from "./testing/sentry-options-for.js";

const start = useHarness();

/** Runs the browser part of an install and returns what the callback needs, without calling it. */
async function consented(h: Harness, input: { user_id?: string; account_id?: string; org?: string; provider?: string } = {}) {
  const provider = input.provider ?? "sentry";
  const started = await h.sdk.buildInstallUrl({ provider, user_id: input.user_id ?? "user-1", account_id: input.account_id ?? "acct-1" });
  const back = new URL(await h.emulator.consent(started.url, input.org ? { org: input.org } : {}));
  return {
    started,
    back,
    fields: {
      provider,
      code: back.searchParams.get("code")!,
      installationId: back.searchParams.get("installationId")!,
      orgSlug: back.searchParams.get("orgSlug")!,
      state: back.searchParams.get("state") ?? undefined,
      browser_binding: started.browser_binding,
    },
  };
}

describe("install", () => {
  it("install URL -> consent -> callback -> createConnection -> resolve -> fetch, with one token call", async () => {
    const h = await start();
    const started = await h.sdk.buildInstallUrl({ provider: "sentry", user_id: "user-1", account_id: "acct-1" });
    expect(started.url).toBe(`${h.emulator.endpoints.installUrl(h.emulator.slug)}?state=${started.state}`);
    expect(started.browser_binding).not.toBe(started.state);
    expect(Date.parse(started.expires_at)).toBe(h.clock.now() + 600_000);

    const back = new URL(await h.emulator.consent(started.url, { org: "acme" }));
    expect(back.searchParams.get("state")).toBe(started.state);
    const installationId = back.searchParams.get("installationId")!;
    const callback = await h.sdk.handleInstallCallback({
      provider: "sentry",
      code: back.searchParams.get("code")!,
      installationId,
      orgSlug: back.searchParams.get("orgSlug")!,
      state: back.searchParams.get("state")!,
      browser_binding: started.browser_binding,
    });
    expect(h.emulator.stats).toMatchObject({ tokenCalls: 1, codeExchanges: 1, verifications: 0 });
    // The organization was read from the installation the token belongs to, not taken from the redirect.
    expect(h.emulator.counters.installation_details).toBe(1);
    expect(callback.integration).toMatchObject({
      provider: "sentry",
      account_id: "acct-1",
      created_by: "user-1",
      auth_type: "oauth2",
      metadata: { installation_id: installationId, org_slug: "acme", host: "sentry.io" },
    });
    expect(callback.integration.credentials.refresh_token).toEqual(expect.any(String));
    expect(callback.integration.credentials.access_token_expires_at).toBe(h.clock.now() + EIGHT_HOURS);

    const saved = await h.sdk.createConnection(callback.integration);
    expect(saved).toMatchObject({ natural_key: installationId, status: "active", credential_fields: ["refresh_token", "scopes", "token_type"] });
    const raw = await h.store.get(saved.id);
    expect(JSON.stringify(raw?.credentials.refresh_token)).toMatch(/"kid":"k1"/);
    expect((await readCachedToken(h.cache, accessTokenKey("sentry", saved.id, "acct-1"), ENCRYPTION_KEYS))?.access_token).toBe(callback.integration.credentials.access_token);

    const runtime = await h.sdk.resolveConnection<SentryRuntime>(saved.id);
    expect(runtime).toEqual({
      provider: "sentry",
      integration_id: saved.id,
      account_id: "acct-1",
      org_slug: "acme",
      installation_id: installationId,
      host: "sentry.io",
      base_url: h.emulator.url,
      api_base_url: h.emulator.url,
      access_token: callback.integration.credentials.access_token,
      token: callback.integration.credentials.access_token,
      token_type: "Bearer",
      expires_at: new Date(h.clock.now() + EIGHT_HOURS).toISOString(),
      scopes: ["org:read", "project:read"],
      headers: { Authorization: `Bearer ${callback.integration.credentials.access_token as string}` },
    });

    const response = await h.sdk.fetch(saved.id, `/api/0/organizations/${runtime.org_slug}/projects/`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as Array<{ slug: string }>).map((project) => project.slug)).toEqual(["backend", "web"]);
    expect(h.emulator.stats).toMatchObject({ tokenCalls: 1, refreshes: 0, apiCalls: 1 });
  });

  it("installSentry (testing kit) drives the same flow for any organization", async () => {
    const h = await start();
    const { id, orgSlug } = await h.connect({ consent: { org: "globex" }, user_id: "user-9", account_id: "acct-9" });
    expect(orgSlug).toBe("globex");
    expect(await h.sdk.getConnection(id)).toMatchObject({ account_id: "acct-9", created_by: "user-9", metadata: { org_slug: "globex" } });
    expect((await h.sdk.fetch(id, "/api/0/organizations/globex/projects/")).status).toBe(200);
    expect((await h.sdk.fetch(id, "/api/0/organizations/acme/projects/")).status).toBe(403);
  });

  it("createConnection upserts on installation_id", async () => {
    const h = await start();
    const { fields } = await consented(h);
    const callback = await h.sdk.handleInstallCallback(fields);
    const first = await h.sdk.createConnection(callback.integration);
    const second = await h.sdk.createConnection(callback.integration);
    expect(second.id).toBe(first.id);
    expect(second.version).toBe(2);
    expect(await h.sdk.listConnections({ account_id: "acct-1", provider: "sentry" })).toHaveLength(1);
  });

  it("verifyInstall marks the installation installed with the new token", async () => {
    const h = await start({ provider: { verifyInstall: true } });
    const { installationId } = await h.connect();
    expect(h.emulator.getInstallation(installationId)?.status).toBe("installed");
    expect(h.emulator.stats.verifications).toBe(1);
  });

  it("without verifyInstall the installation stays pending", async () => {
    const h = await start();
    const { installationId } = await h.connect();
    expect(h.emulator.getInstallation(installationId)?.status).toBe("pending");
    expect(h.emulator.counters.installation).toBeUndefined();
  });

  it("without verifyInstall the installation is read and an orgSlug that is not its organization is refused", async () => {
    const h = await start();
    const { fields } = await consented(h, { org: "acme" });
    const error = await h.sdk.handleInstallCallback({ ...fields, orgSlug: "globex" }).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "validation_failed")).toBe(true);
    expect((error as SdkError).details.field).toBe("handleInstallCallback.orgSlug");
    expect(h.emulator.counters.installation_details).toBe(1);
    expect(await h.store.list({ account_id: "acct-1" })).toEqual([]);
  });

  it("an app without a scope that may read its installation must use verifyInstall (the check fails closed)", async () => {
    const h = await start({ emulator: { scopes: ["project:read"] } });
    const { fields } = await consented(h, { org: "acme" });
    const error = await h.sdk.handleInstallCallback(fields).catch((caught: unknown) => caught);
    expect(SdkError.is(error)).toBe(true);
    expect((error as SdkError).details).toMatchObject({ step: "installation_check", status: 403 });
    expect((error as SdkError).message).toMatch(/verifyInstall: true/);
    const verified = await start({ emulator: { scopes: ["project:read"] }, provider: { verifyInstall: true } });
    const again = await consented(verified, { org: "acme" });
    expect((await verified.sdk.handleInstallCallback(again.fields)).integration.metadata).toMatchObject({ org_slug: "acme" });
  });

  it("verifyInstall refuses an orgSlug that is not the installation's organization", async () => {
    const h = await start({ provider: { verifyInstall: true } });
    const { fields } = await consented(h, { org: "acme" });
    const error = await h.sdk.handleInstallCallback({ ...fields, orgSlug: "globex" }).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "validation_failed")).toBe(true);
    expect((error as SdkError).details.field).toBe("handleInstallCallback.orgSlug");
  });

  it("a failed verify install fails the callback with the step named", async () => {
    const h = await start({ provider: { verifyInstall: true } });
    const { fields } = await consented(h);
    h.emulator.fault("installation", { kind: "status", status: 503, body: { detail: "unavailable" } }, 3);
    const error = await h.sdk.handleInstallCallback(fields).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "provider_unavailable")).toBe(true);
    expect((error as SdkError).details).toMatchObject({ step: "verify_install", provider: "sentry" });
    expect(h.emulator.counters.installation).toBe(3);
  });
});

describe("callback input and state", () => {
  it("validates installationId and orgSlug with the field named, before the state is used", async () => {
    const h = await start();
    const { fields } = await consented(h);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ installationId: undefined }, "handleInstallCallback.installationId"],
      [{ installationId: "../../api/0/organizations" }, "handleInstallCallback.installationId"],
      [{ orgSlug: undefined }, "handleInstallCallback.orgSlug"],
      [{ orgSlug: "Acme Inc" }, "handleInstallCallback.orgSlug"],
    ];
    for (const [override, field] of cases) {
      const error = await h.sdk.handleInstallCallback({ ...fields, ...override }).catch((caught: unknown) => caught);
      expect(SdkError.is(error, "validation_failed")).toBe(true);
      expect((error as SdkError).details.field).toBe(field);
    }
    expect(h.emulator.stats.tokenCalls).toBe(0);
    await expect(h.sdk.handleInstallCallback(fields)).resolves.toMatchObject({ integration: { provider: "sentry" } });
  });

  it("rejects a missing, forged, replayed, expired or foreign state with its code and no token call", async () => {
    const h = await start();
    const rejected: string[] = [];
    h.sdk.events.on("state.rejected", (event) => rejected.push(event.code));
    const { fields, started } = await consented(h);
    const [payload, signature] = started.state.split(".") as [string, string];
    const swapped = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), account_id: "attacker" })).toString("base64url");

    expect(await codeOf(h.sdk.handleInstallCallback({ ...fields, state: undefined }))).toBe("state_missing");
    expect(await codeOf(h.sdk.handleInstallCallback({ ...fields, state: "not-a-state" }))).toBe("state_malformed");
    expect(await codeOf(h.sdk.handleInstallCallback({ ...fields, state: `${swapped}.${signature}` }))).toBe("state_bad_signature");
    // The cookie alone is no longer a state (it was, before Sentry was known to pass `?state=` through).
    expect(await codeOf(h.sdk.handleInstallCallback({ ...fields, state: undefined, browser_binding: started.state }))).toBe("state_missing");
    expect(await codeOf(h.sdk.handleInstallCallback({ ...fields, browser_binding: undefined }))).toBe("state_binding_mismatch");
    expect(h.emulator.stats.tokenCalls).toBe(0);
    expect(await codeOf(h.sdk.handleInstallCallback(fields))).toBe("resolved");
    expect(await codeOf(h.sdk.handleInstallCallback(fields))).toBe("state_replayed");
    expect(h.emulator.stats.tokenCalls).toBe(1);

    const late = await consented(h, { org: "globex" });
    h.clock.advance(601_000);
    expect(await codeOf(h.sdk.handleInstallCallback(late.fields))).toBe("state_expired");
    expect(rejected).toEqual(["state_missing", "state_malformed", "state_bad_signature", "state_missing", "state_binding_mismatch", "state_replayed", "state_expired"]);
  });

  it("refuses a state issued for another Sentry provider id", async () => {
    const h = await start();
    const other = createSDK({
      store: h.store,
      cache: h.cache,
      now: h.clock.now,
      state: { secrets: STATE_SECRETS },
      encryption: { keys: ENCRYPTION_KEYS },
      providers: [sentry({ ...sentryOptionsFor(h.emulator), id: "sentry-staging" }), sentry(sentryOptionsFor(h.emulator))],
    });
    const started = await other.buildInstallUrl({ provider: "sentry-staging", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await h.emulator.consent(started.url));
    const code = await codeOf(
      other.handleInstallCallback({
        provider: "sentry",
        code: back.searchParams.get("code")!,
        installationId: back.searchParams.get("installationId")!,
        orgSlug: back.searchParams.get("orgSlug")!,
        state: back.searchParams.get("state")!,
        browser_binding: started.browser_binding,
      }),
    );
    expect(code).toBe("state_provider_mismatch");
  });

  it("maps Sentry's code errors: an expired grant is reauth_required", async () => {
    const h = await start({ emulator: { codeTtlMs: 60_000 } });
    const { fields } = await consented(h);
    h.clock.advance(120_000);
    const error = await h.sdk.handleInstallCallback(fields).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "reauth_required")).toBe(true);
    expect((error as SdkError).details).toEqual({ provider: "sentry", status: 401, provider_error: "grant_expired" });
  });

  it.each([401, 403] as const)("a wrong client secret is invalid_client (Sentry answering %i)", async (status) => {
    const h = await start({ emulator: { invalidClientStatus: status }, provider: { clientSecret: "not-the-secret" } });
    const { fields } = await consented(h);
    const error = await h.sdk.handleInstallCallback(fields).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "invalid_client")).toBe(true);
    expect((error as SdkError).details).toMatchObject({ status, provider_error: "invalid_client" });
  });
});

describe("hosts and regions", () => {
  const base = { slug: "acme-app", clientId: "client-id", clientSecret: "client-secret" };
  const sdkWith = (...providers: ReturnType<typeof sentry>[]) =>
    createSDK({ store: new MemoryStore(), cache: new MemoryCache(), state: { secrets: STATE_SECRETS }, encryption: { keys: ENCRYPTION_KEYS }, providers });

  it("installs on sentry.io by default and on a self-hosted host when configured", async () => {
    const saas = await sdkWith(sentry(base)).buildInstallUrl({ provider: "sentry", user_id: "u1", account_id: "a1" });
    expect(saas.url).toBe(`https://sentry.io/sentry-apps/acme-app/external-install/?state=${saas.state}`);
    const selfHosted = await sdkWith(sentry({ ...base, host: "sentry.example.com:8443" })).buildInstallUrl({ provider: "sentry", user_id: "u1", account_id: "a1" });
    expect(selfHosted.url).toBe(`https://sentry.example.com:8443/sentry-apps/acme-app/external-install/?state=${selfHosted.state}`);
  });

  it("apiHost puts new installations on a region host; exchange still goes to the control host", async () => {
    const h = await start();
    // Only the control origin points at the emulator: the API origin follows the installation's host.
    const sdk = h.process({ endpoints: { baseUrl: h.emulator.url }, apiHost: "de.sentry.io" });
    const installed = await installDraft(sdk, h.emulator, { user_id: "user-1", account_id: "acct-1" });
    expect(installed.integration.metadata).toMatchObject({ host: "de.sentry.io" });
    const saved = await sdk.createConnection(installed.integration);
    const runtime = await sdk.resolveConnection<SentryRuntime>(saved.id);
    expect(runtime).toMatchObject({ host: "de.sentry.io", api_base_url: "https://de.sentry.io", base_url: h.emulator.url });
    expect(h.emulator.stats.codeExchanges).toBe(1);
  });

  it("a connection may name another SaaS region host, never a foreign host", async () => {
    const h = await start();
    const installed = await installDraft(h.sdk, h.emulator, { user_id: "user-1", account_id: "acct-1" });
    for (const host of ["evil.example.com", "https://us.sentry.io", "sentry.io/api"]) {
      const error = await h.sdk.createConnection({ ...installed.integration, metadata: { ...installed.integration.metadata, host } }).catch((caught: unknown) => caught);
      expect(SdkError.is(error, "validation_failed")).toBe(true);
      expect((error as SdkError).details.field).toBe("createConnection.metadata.host");
    }
    const saved = await h.sdk.createConnection({ ...installed.integration, metadata: { ...installed.integration.metadata, host: "us.sentry.io" } });
    expect(saved.metadata.host).toBe("us.sentry.io");
  });

  it("a self-hosted app accepts only its own hosts", async () => {
    const h = await start({ provider: { host: "sentry.example.com" } });
    const installed = await installDraft(h.sdk, h.emulator, { user_id: "user-1", account_id: "acct-1" });
    expect(installed.integration.metadata?.host).toBe("sentry.example.com");
    const error = await h.sdk.createConnection({ ...installed.integration, metadata: { ...installed.integration.metadata, host: "sentry.io" } }).catch((caught: unknown) => caught);
    expect((error as SdkError).details.field).toBe("createConnection.metadata.host");
  });

  it("createConnection needs the installation metadata", async () => {
    const h = await start();
    const installed = await installDraft(h.sdk, h.emulator, { user_id: "user-1", account_id: "acct-1" });
    const { installation_id: _dropped, ...rest } = installed.integration.metadata as Record<string, unknown>;
    const error = await h.sdk.createConnection({ ...installed.integration, metadata: rest }).catch((caught: unknown) => caught);
    expect((error as SdkError).details.field).toBe("createConnection.metadata.installation_id");
  });
});

describe("options", () => {
  const base = { slug: "acme-app", clientId: "client-id", clientSecret: "client-secret" };
  it.each([
    [{ slug: "Acme App" }, "sentry.slug"],
    [{ clientSecret: "" }, "sentry.clientSecret"],
    [{ host: "https://sentry.io" }, "sentry.host"],
    [{ apiHost: "de.sentry.io/api/0" }, "sentry.apiHost"],
    [{ endpoints: { apiBaseUrl: "https://sentry.io/api/0" } }, "sentry.endpoints.apiBaseUrl"],
    [{ endpoints: { baseUrl: "ftp://sentry.io" } }, "sentry.endpoints.baseUrl"],
    [{ verifyInstall: "yes" }, "sentry.verifyInstall"],
    [{ providerStartedInstalls: true }, "sentry.providerStartedInstalls"],
    [{ redirectUri: "https://app.example.com/cb" }, "sentry.redirectUri"],
    // A refresh deletes the old token row: refresh-ahead would serve a dead token meanwhile.
    [{ refreshAheadSeconds: 300 }, "sentry.refreshAheadSeconds"],
  ])("refuses %j as misconfigured naming %s", (override, field) => {
    let error: unknown;
    try {
      sentry({ ...base, ...(override as object) } as Parameters<typeof sentry>[0]);
    } catch (caught) {
      error = caught;
    }
    expect(SdkError.is(error, "misconfigured")).toBe(true);
    expect(String((error as SdkError).details.field)).toBe(field);
  });

  it("registers with a cache and state secrets only", () => {
    expect(() => createSDK({ store: new MemoryStore(), state: { secrets: STATE_SECRETS }, encryption: { keys: ENCRYPTION_KEYS }, providers: [sentry(base)] })).toThrow(/needs a cache/);
    expect(() => createSDK({ store: new MemoryStore(), cache: new MemoryCache(), encryption: { keys: ENCRYPTION_KEYS }, providers: [sentry(base)] })).toThrow(/state: \{ secrets/);
  });
});
