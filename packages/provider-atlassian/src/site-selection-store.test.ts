// The site selection contract on the emulator: 0 sites, 1 site, a preselected site, and a multi-site install parked
// (encrypted, 10 minutes, single use, bound to browser, user and account) until completeSiteSelection.
import { MemoryCache, SdkError, type InstallCallbackResult } from "@sdk/core";
import { CredentialCipher, accessTokenKey, isEnvelope } from "@sdk/core/provider-kit";
import { afterEach, describe, expect, it } from "vitest";
import { readCachedToken } from "@sdk/oauth/testing";
import { failure, observe } from "../test/observe.js";
import type { AtlassianRuntime } from "./index.js";
import { startAtlassianSandbox, type AtlassianSandbox, type AtlassianSandboxOptions } from "./testing.js";

const ACME = { id: "11111111-1111-4111-8111-111111111111", name: "acme", url: "https://acme.atlassian.net", products: ["jira" as const, "jsm" as const, "confluence" as const] };
const BETA = { id: "22222222-2222-4222-8222-222222222222", name: "beta", url: "https://beta.atlassian.net", avatarUrl: "https://avatars.example/beta.png", products: ["jira" as const, "confluence" as const] };
const WIKI = { id: "33333333-3333-4333-8333-333333333333", name: "wiki", url: "https://wiki.atlassian.net", products: ["confluence" as const] };
const TEN_MINUTES = 600_000;

const running: AtlassianSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
});

async function sandbox(options: AtlassianSandboxOptions = {}): Promise<AtlassianSandbox> {
  const started = await startAtlassianSandbox({ ...options, emulator: { sites: [ACME, BETA, WIKI], ...options.emulator } });
  running.push(started);
  return started;
}

/** Install -> consent -> callback that must end in atlassian_site_selection_required. */
async function parkedInstall(s: AtlassianSandbox, options: { product?: "jira" | "confluence"; sites?: string[]; user_id?: string; account_id?: string } = {}) {
  const product = options.product ?? "jira";
  const install = await s.sdk.buildInstallUrl({ provider: product, user_id: options.user_id ?? "user-1", account_id: options.account_id ?? "acct-1" });
  const back = new URL(await s.emulator.consent(install.url, { sites: options.sites ?? [ACME.id, BETA.id] }));
  const error = await failure(
    s.sdk.handleInstallCallback({ provider: product, code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: install.browser_binding }),
  );
  expect(error.code).toBe("atlassian_site_selection_required");
  return { install, error, selectionId: error.details.selection_id as string };
}

describe("single site", () => {
  it("completes the callback, persists cloud_id / site_url / site_name and keys the integration on cloud_id", async () => {
    const s = await sandbox();
    const saved = await s.connect({ product: "jira", sites: [BETA.id] });
    expect(saved.metadata).toEqual({ cloud_id: BETA.id, site_url: BETA.url, site_name: BETA.name, atlassian_account_id: "user-1" });
    expect(saved.natural_key).toBe(BETA.id);
    const runtime = await s.sdk.resolveConnection<AtlassianRuntime>(saved.id);
    expect(runtime.api_base_url).toBe(`${s.emulator.endpoints.apiBaseUrl}/ex/jira/${BETA.id}`);
    expect((await s.sdk.fetch(saved.id, "/rest/api/3/myself")).status).toBe(200);
  });

  it("counts only the sites that serve the product: a Confluence-only site never makes a Jira install ambiguous", async () => {
    const s = await sandbox();
    await s.connect({ product: "confluence", sites: [WIKI.id] });
    // The grant now reaches WIKI (Confluence) and, after this consent, ACME: only ACME serves Jira.
    const jira = await s.connect({ product: "jira", sites: [ACME.id] });
    expect(jira.metadata.cloud_id).toBe(ACME.id);
  });

  it("merges a site listed once per product into one candidate", async () => {
    const s = await sandbox({ emulator: { sites: [ACME], resourcesPerProduct: true } });
    await s.connect({ product: "confluence" });
    // The grant now holds Confluence and Jira scopes, so the listing names ACME twice (Jira family, Confluence).
    const jira = await s.connect({ product: "jira" });
    expect(jira.metadata.cloud_id).toBe(ACME.id);
    const { headers } = await s.sdk.resolveConnection(jira.id);
    const listing = (await (await fetch(s.emulator.endpoints.accessibleResourcesUrl, { headers })).json()) as Array<{ id: string }>;
    expect(listing.map((entry) => entry.id)).toEqual([ACME.id, ACME.id]);
  });
});

describe("no site", () => {
  it("throws atlassian_no_sites when the grant reaches no site, or none that serves the product", async () => {
    const s = await sandbox({ emulator: { users: [{ accountId: "user-1", listedSites: [WIKI.id] }] } });
    const none = await failure(s.connect({ product: "jsm", sites: [] }));
    expect(none.code).toBe("atlassian_no_sites");
    // WIKI is listed (ID-8490) but carries no Jira scope.
    expect(none.details).toEqual({ provider: "jsm", sites_listed: 1 });
    expect(await s.sdk.listConnections({ account_id: "acct-1" })).toEqual([]);
  });
});

describe("preselected site", () => {
  it("completes without a picker when the cloud_id given to buildInstallUrl is among the sites", async () => {
    const s = await sandbox();
    const saved = await s.connect({ product: "jira", cloud_id: BETA.id, sites: [ACME.id, BETA.id] });
    expect(saved.metadata.cloud_id).toBe(BETA.id);
    expect(s.emulator.grantOf("user-1")!.sites).toEqual([ACME.id, BETA.id]);
  });

  it("falls back to the picker when the preselected site is not among them", async () => {
    const s = await sandbox();
    const error = await failure(s.connect({ product: "confluence", cloud_id: "44444444-4444-4444-8444-444444444444", sites: [ACME.id, WIKI.id] }));
    expect(error.code).toBe("atlassian_site_selection_required");
    expect((error.details.sites as Array<{ cloud_id: string }>).map((site) => site.cloud_id)).toEqual([ACME.id, WIKI.id]);
  });
});

describe("multi-site selection", () => {
  it("parks the install and offers the sites; completeSiteSelection finishes it on the chosen site", async () => {
    const s = await sandbox();
    const { install, error, selectionId } = await parkedInstall(s);
    expect(error.retryable).toBe(false);
    expect(selectionId).toMatch(/^jira\.[A-Za-z0-9_-]{24}$/);
    expect(error.details).toEqual({
      provider: "jira",
      selection_id: selectionId,
      sites: [
        { cloud_id: ACME.id, name: ACME.name, url: ACME.url, avatar_url: expect.stringMatching(/^https:\/\//) },
        { cloud_id: BETA.id, name: BETA.name, url: BETA.url, avatar_url: BETA.avatarUrl },
      ],
      expires_at: new Date(s.clock.now() + TEN_MINUTES).toISOString(),
    });
    const { integration } = await s.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: BETA.id, browser_binding: install.browser_binding });
    expect(integration).toMatchObject({ provider: "jira", account_id: "acct-1", created_by: "user-1", metadata: { cloud_id: BETA.id, site_url: BETA.url, site_name: BETA.name } });
    const saved = await s.sdk.createConnection(integration);
    const runtime = await s.sdk.resolveConnection<AtlassianRuntime>(saved.id);
    expect(runtime).toMatchObject({ cloud_id: BETA.id, site_url: BETA.url, site_name: BETA.name });
    expect((await s.sdk.fetch(saved.id, "/rest/api/3/myself")).status).toBe(200);
    expect(s.emulator.stats.codeExchanges).toBe(1);
  });

  it("rejects a site that was not offered with site_not_in_selection, and the selection stays usable", async () => {
    const s = await sandbox();
    const { install, selectionId } = await parkedInstall(s);
    for (const cloudId of [WIKI.id, "55555555-5555-4555-8555-555555555555"]) {
      const error = await failure(s.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: cloudId, browser_binding: install.browser_binding }));
      expect(error.code).toBe("site_not_in_selection");
      expect(error.details).toEqual({ provider: "jira", field: "completeSiteSelection.cloud_id", cloud_ids: [ACME.id, BETA.id] });
    }
    await expect(s.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: ACME.id, browser_binding: install.browser_binding })).resolves.toBeDefined();
  });

  it("rejects another browser (or none) with state_binding_mismatch, emits state.rejected, and the selection stays", async () => {
    const seen = observe();
    const s = await sandbox();
    seen.watch(s.sdk);
    const { install, selectionId } = await parkedInstall(s);
    const other = await s.sdk.buildInstallUrl({ provider: "jira", user_id: "user-1", account_id: "acct-1" });
    for (const binding of [other.browser_binding, undefined, ""]) {
      const error = await failure(s.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: ACME.id, ...(binding === undefined ? {} : { browser_binding: binding }) }));
      expect(error.code).toBe("state_binding_mismatch");
      expect(error.details.field).toBe("completeSiteSelection.browser_binding");
    }
    expect(seen.named("state.rejected")).toEqual([
      { provider: "jira", code: "state_binding_mismatch" },
      { provider: "jira", code: "state_binding_mismatch" },
      { provider: "jira", code: "state_binding_mismatch" },
    ]);
    await expect(s.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: ACME.id, browser_binding: install.browser_binding })).resolves.toBeDefined();
  });

  it("rejects another user or account when the caller passes them, and the selection stays", async () => {
    const s = await sandbox();
    const { install, selectionId } = await parkedInstall(s, { user_id: "alice", account_id: "acct-a" });
    const attempt = (extra: Record<string, string>) => s.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: ACME.id, browser_binding: install.browser_binding, ...extra });
    expect((await failure(attempt({ user_id: "mallory" }))).details.field).toBe("completeSiteSelection.user_id");
    expect((await failure(attempt({ account_id: "acct-b" }))).details.field).toBe("completeSiteSelection.account_id");
    expect((await failure(attempt({ user_id: "mallory" }))).code).toBe("state_binding_mismatch");
    const { integration } = await attempt({ user_id: "alice", account_id: "acct-a" });
    expect(integration).toMatchObject({ account_id: "acct-a", created_by: "alice" });
  });

  it("is single use: a second completion (any site) gets site_selection_expired", async () => {
    const s = await sandbox();
    const { install, selectionId } = await parkedInstall(s);
    await s.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: ACME.id, browser_binding: install.browser_binding });
    for (const cloudId of [ACME.id, BETA.id]) {
      expect((await failure(s.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: cloudId, browser_binding: install.browser_binding }))).code).toBe("site_selection_expired");
    }
  });

  it("lets exactly one of many concurrent completions take the tokens", async () => {
    const s = await sandbox();
    const { install, selectionId } = await parkedInstall(s);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) => s.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: index % 2 ? ACME.id : BETA.id, browser_binding: install.browser_binding })),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") expect(SdkError.is(result.reason, "site_selection_expired")).toBe(true);
    }
  });

  it("expires after 10 minutes, by the cache TTL and by its own clock check", async () => {
    const s = await sandbox();
    const { install, selectionId } = await parkedInstall(s);
    s.clock.advance(TEN_MINUTES - 1);
    const early = await parkedInstall(s, { product: "confluence", sites: [ACME.id, WIKI.id] });
    s.clock.advance(1);
    expect((await failure(s.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: ACME.id, browser_binding: install.browser_binding }))).code).toBe("site_selection_expired");
    await expect(s.sdk.completeSiteSelection({ selection_id: early.selectionId, cloud_id: WIKI.id, browser_binding: early.install.browser_binding })).resolves.toBeDefined();

    // A cache on another clock still holds the entry: the parked expiry decides.
    const wallClockCache = new MemoryCache();
    const other = await sandbox({ cache: wallClockCache });
    const parked = await parkedInstall(other);
    other.clock.advance(TEN_MINUTES);
    expect(await wallClockCache.get(`sdk:site_selection:${parked.selectionId}`)).toBeDefined();
    expect((await failure(other.sdk.completeSiteSelection({ selection_id: parked.selectionId, cloud_id: ACME.id, browser_binding: parked.install.browser_binding }))).code).toBe(
      "site_selection_expired",
    );
    expect(await wallClockCache.get(`sdk:site_selection:${parked.selectionId}`)).toBeUndefined();
  });

  it("treats an unknown, altered or moved selection as expired", async () => {
    const s = await sandbox();
    const { install, selectionId } = await parkedInstall(s);
    const complete = (id: string) => s.sdk.completeSiteSelection({ selection_id: id, cloud_id: ACME.id, browser_binding: install.browser_binding });
    expect((await failure(complete("jira.unknownSelection123"))).code).toBe("site_selection_expired");
    const key = `sdk:site_selection:${selectionId}`;
    const raw = (await s.cache.get(key))!;
    // Moved under another id: the envelope is bound to its selection id.
    await s.cache.set("sdk:site_selection:jira.movedSelection1234", raw, 60_000);
    expect((await failure(complete("jira.movedSelection1234"))).code).toBe("site_selection_expired");
    // A plain value planted in the cache is not a parked selection.
    const plain = { v: 1, provider: "jira", user_id: "user-1", account_id: "acct-1", binding: null, expires_at: s.clock.now() + 60_000, sites: [], draft: {} };
    await s.cache.set("sdk:site_selection:jira.plantedSelection12", JSON.stringify(plain), 60_000);
    expect((await failure(complete("jira.plantedSelection12"))).code).toBe("site_selection_expired");
    // Altered ciphertext fails authentication.
    const envelope = JSON.parse(raw) as { ct: string };
    await s.cache.set(key, JSON.stringify({ ...envelope, ct: `A${envelope.ct.slice(1)}` === envelope.ct ? `B${envelope.ct.slice(1)}` : `A${envelope.ct.slice(1)}` }), 60_000);
    expect((await failure(complete(selectionId))).code).toBe("site_selection_expired");
  });

  it("routes by the selection's provider: a jira selection is not a confluence one", async () => {
    const s = await sandbox();
    const { install, selectionId } = await parkedInstall(s);
    const forged = `confluence.${selectionId.slice("jira.".length)}`;
    expect((await failure(s.sdk.completeSiteSelection({ selection_id: forged, cloud_id: ACME.id, browser_binding: install.browser_binding }))).code).toBe("site_selection_expired");
  });

  it("without browser binding (state.browserBinding off), completes without one", async () => {
    const s = await sandbox({ browserBinding: "off" });
    const { selectionId } = await parkedInstall(s);
    await expect(s.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: BETA.id })).resolves.toBeDefined();
  });
});

describe("parked tokens are encrypted", () => {
  async function parkAndRead(options: AtlassianSandboxOptions) {
    const s = await sandbox(options);
    const { install, selectionId } = await parkedInstall(s);
    const raw = (await s.cache.get(`sdk:site_selection:${selectionId}`))!;
    const { integration } = (await s.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: ACME.id, browser_binding: install.browser_binding })) as InstallCallbackResult;
    return { raw, integration };
  }

  it("with the credential cipher when encryption keys are configured", async () => {
    const key = { id: "creds-1", key: Buffer.alloc(32, 7).toString("base64") };
    const { raw, integration } = await parkAndRead({ encryption: [key] });
    const envelope = JSON.parse(raw) as unknown;
    expect(isEnvelope(envelope)).toBe(true);
    expect((envelope as { kid: string }).kid).toBe("creds-1");
    for (const secret of [integration.credentials.access_token, integration.credentials.refresh_token]) {
      expect(typeof secret).toBe("string");
      expect(raw).not.toContain(secret as string);
    }
    expect(raw).not.toContain(ACME.url);
  });

  it("with a key derived (HKDF) from the state secret when no encryption key is configured", async () => {
    const { raw, integration } = await parkAndRead({ encryption: false });
    const envelope = JSON.parse(raw) as { kid: string };
    expect(isEnvelope(envelope)).toBe(true);
    expect(envelope.kid).toBe("state-sandbox");
    expect(raw).not.toContain(integration.credentials.refresh_token as string);
    expect(raw).not.toContain(integration.credentials.access_token as string);
    // Not the plain state secret as a key: a cipher built from it cannot open the envelope.
    const naive = new CredentialCipher([{ id: "state-sandbox", key: Buffer.alloc(32, 0).toString("base64") }]);
    expect(() => naive.decrypt("x", "parked", envelope)).toThrow();
  });

  it("keeps no access token under the 1.x key until the integration is saved", async () => {
    const s = await sandbox();
    const { install, selectionId } = await parkedInstall(s);
    const { integration } = await s.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: ACME.id, browser_binding: install.browser_binding });
    const saved = await s.sdk.createConnection(integration);
    expect((await readCachedToken(s.cache, accessTokenKey("jira", saved.id, "acct-1"), s.keys))?.access_token).toBe(integration.credentials.access_token);
    expect((await s.sdk.getConnection(saved.id)).credential_fields).not.toContain("access_token");
  });
});

describe("one integration per (account, product, cloud_id)", () => {
  it("updates the same integration on a re-install of a site and adds one for another site", async () => {
    const s = await sandbox();
    const first = await s.connect({ product: "jira", sites: [ACME.id] });
    const again = await s.connect({ product: "jira", sites: [ACME.id, BETA.id], pick: ACME.id });
    expect(again.id).toBe(first.id);
    expect(again.version).toBeGreaterThan(first.version);
    const beta = await s.connect({ product: "jira", sites: [ACME.id, BETA.id], pick: BETA.id });
    expect(beta.id).not.toBe(first.id);
    const wiki = await s.connect({ product: "confluence", sites: [ACME.id, BETA.id], pick: ACME.id });
    const list = await s.sdk.listConnections({ account_id: "acct-1" });
    expect(list.map((item) => [item.provider, item.natural_key])).toEqual([
      ["jira", ACME.id],
      ["jira", BETA.id],
      ["confluence", ACME.id],
    ]);
    expect(wiki.id).not.toBe(first.id);
  });
});
