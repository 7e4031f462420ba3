// The @sentry/api recipe of packages/provider-sentry/README.md ("API clients"), run against the Sentry emulator: the
// generated client calls fetch(Request), which sdk.fetcher(id) accepts; the installation token is refreshed under it.
import { randomBytes } from "node:crypto";
import { createSDK, MemoryCache, MemoryStore } from "@sdk/core";
import { sentry, sentryOrgToken } from "@sdk/provider-sentry";
import { sentryOptionsFor, sentryOrgTokenOptionsFor, startSentryEmulator } from "@sdk/provider-sentry/testing";
import { listAnOrganization_sProjects, listYourOrganizations, retrieveAnOrganization } from "@sentry/api";
import { expect, it } from "vitest";

it("@sentry/api functions run on sdk.fetcher(id), past the installation token's expiry", async () => {
  const emulator = await startSentryEmulator({ redirectUrl: "https://app.example/sentry/callback" });
  try {
    const sdk = createSDK({
      store: new MemoryStore(),
      cache: new MemoryCache({ now: emulator.clock.now }),
      now: emulator.clock.now,
      state: { secrets: [{ id: "recipes", secret: randomBytes(32).toString("base64") }] },
      encryption: { keys: [{ id: "recipes", key: randomBytes(32).toString("base64") }] },
      providers: [sentry(sentryOptionsFor(emulator)), sentryOrgToken(sentryOrgTokenOptionsFor(emulator))],
    });
    const started = await sdk.buildInstallUrl({ provider: "sentry", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await emulator.consent(started.url, { user: "user-1" }));
    const { integration } = await sdk.handleInstallCallback({ provider: "sentry", query: back.searchParams, browser_binding: started.browser_binding });
    const saved = await sdk.createConnection(integration);
    // README recipe
    const runtime = await sdk.resolveConnection(saved.id);
    const sentryApi = { baseUrl: runtime.api_base_url!, fetch: sdk.fetcher(saved.id) };
    const orgSlug = runtime.org_slug as string;

    const organizations = await listYourOrganizations({ ...sentryApi });
    expect(organizations.data?.map((organization) => organization.slug)).toEqual([orgSlug]);
    const organization = await retrieveAnOrganization({ ...sentryApi, path: { organization_id_or_slug: orgSlug } });
    expect(organization.data).toMatchObject({ slug: orgSlug });
    emulator.clock.advance(9 * 3600_000);
    const projects = await listAnOrganization_sProjects({ ...sentryApi, path: { organization_id_or_slug: orgSlug } });
    expect(projects.response.status).toBe(200);
    expect(projects.data?.length).toBeGreaterThan(0);
    expect(emulator.stats).toMatchObject({ codeExchanges: 1, refreshes: 1 });

    // The same recipe on an internal-integration token connection.
    const internal = await sdk.createConnection({
      provider: "sentry-org-token",
      account_id: "acct-1",
      created_by: "user-1",
      credentials: { token: emulator.createInternalIntegrationToken(orgSlug, { scopes: ["org:read", "project:read"] }) },
      metadata: { org_slug: orgSlug },
    });
    const internalRuntime = await sdk.resolveConnection(internal.id);
    const internalApi = { baseUrl: internalRuntime.api_base_url!, fetch: sdk.fetcher(internal.id) };
    const viaToken = await listAnOrganization_sProjects({ ...internalApi, path: { organization_id_or_slug: orgSlug } });
    expect(viaToken.data?.map((project) => project.slug)).toEqual(projects.data?.map((project) => project.slug));
  } finally {
    await emulator.close();
  }
});
