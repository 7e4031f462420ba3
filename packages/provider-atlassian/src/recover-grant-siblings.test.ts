// Re-install after needs_reauth: the re-installed integration becomes active with `connection.recovered`, and so do
// siblings the new consent covers (scopes held, site reachable); others stay needs_reauth. A failure to list the new
// grant's sites never fails the save.
import { afterEach, describe, expect, it } from "vitest";
import { failure, observe } from "../test/observe.js";
import { startAtlassianSandbox, type AtlassianSandbox, type AtlassianSandboxOptions } from "./testing.js";

const HOUR = 3600_000;
const ACME = { id: "11111111-1111-4111-8111-111111111111", name: "acme", url: "https://acme.atlassian.net", products: ["jira" as const, "jsm" as const, "confluence" as const] };
const WIKI = { id: "33333333-3333-4333-8333-333333333333", name: "wiki", url: "https://wiki.atlassian.net", products: ["confluence" as const] };

const running: AtlassianSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
});

async function sandbox(options: AtlassianSandboxOptions = {}): Promise<AtlassianSandbox> {
  const started = await startAtlassianSandbox({ provider: { retry: { attempts: 2, baseDelayMs: 1 } }, ...options, emulator: { sites: [ACME, WIKI], ...options.emulator } });
  running.push(started);
  return started;
}

/** Installs jira + jsm on ACME and confluence on WIKI, then revokes the app so every sibling lands in needs_reauth. */
async function siblingsNeedingReauth(s: AtlassianSandbox) {
  const jira = await s.connect({ product: "jira", sites: [ACME.id] });
  const wiki = await s.connect({ product: "confluence", sites: [WIKI.id], cloud_id: WIKI.id });
  const jsm = await s.connect({ product: "jsm", sites: [ACME.id] });
  s.emulator.revokeUser("user-1");
  s.clock.advance(HOUR);
  expect((await failure(s.sdk.resolveConnection(jira.id))).code).toBe("reauth_required");
  for (const saved of [jira, wiki, jsm]) expect((await s.sdk.getConnection(saved.id)).status).toBe("needs_reauth");
  return { jira, wiki, jsm };
}

describe("re-install after needs_reauth", () => {
  it("makes the re-installed integration and every covered sibling active again, with connection.recovered", async () => {
    const seen = observe();
    const s = await sandbox();
    seen.watch(s.sdk);
    const { jira, wiki, jsm } = await siblingsNeedingReauth(s);
    const install = await s.sdk.buildInstallUrl({ provider: "jira", user_id: "user-1", account_id: "acct-1" });
    // The new consent asks for every sibling's scopes, needs_reauth ones included.
    expect(new URL(install.url).searchParams.get("scope")).toMatch(/read:confluence-content\.all.*read:servicedesk-request|read:servicedesk-request.*read:confluence-content\.all/);

    const again = await s.connect({ product: "jira", sites: [ACME.id, WIKI.id] });
    expect(again.id).toBe(jira.id);
    expect(again.status).toBe("active");
    expect(seen.named("connection.recovered").map((event) => event.integration_id).sort()).toEqual([jira.id, wiki.id, jsm.id].sort());
    for (const saved of [jira, wiki, jsm]) expect((await s.sdk.getConnection(saved.id)).status).toBe("active");
    const newest = await s.refreshTokenOf(jira.id);
    expect(await s.refreshTokenOf(wiki.id)).toBe(newest);
    expect(await s.refreshTokenOf(jsm.id)).toBe(newest);

    expect((await s.sdk.fetch(wiki.id, "/wiki/api/v2/spaces")).status).toBe(200);
    s.clock.advance(HOUR);
    for (const saved of [jira, wiki, jsm]) await s.sdk.resolveConnection(saved.id);
    expect(s.emulator.stats).toMatchObject({ reuseDetected: 0, familyRevocations: 0 });
  });

  it("leaves a sibling whose site the new grant does not reach in needs_reauth", async () => {
    const seen = observe();
    const s = await sandbox();
    seen.watch(s.sdk);
    const { jira, wiki, jsm } = await siblingsNeedingReauth(s);
    await s.connect({ product: "jira", sites: [ACME.id] });
    expect((await s.sdk.getConnection(jira.id)).status).toBe("active");
    expect((await s.sdk.getConnection(jsm.id)).status).toBe("active");
    expect((await s.sdk.getConnection(wiki.id)).status).toBe("needs_reauth");
    expect(seen.named("connection.recovered").map((event) => event.integration_id)).not.toContain(wiki.id);
    expect((await failure(s.sdk.resolveConnection(wiki.id))).code).toBe("reauth_required");
  });

  it("still saves when the new grant's sites cannot be listed; siblings stay needs_reauth and a warning is logged", async () => {
    const seen = observe();
    const s = await sandbox({ logger: seen.logger });
    const { jira, wiki } = await siblingsNeedingReauth(s);
    const install = await s.sdk.buildInstallUrl({ provider: "jira", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await s.emulator.consent(install.url, { sites: [ACME.id, WIKI.id] }));
    const callback = await s.sdk.handleInstallCallback({ provider: "jira", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: install.browser_binding });
    s.emulator.fault("accessible_resources", { kind: "status", status: 500 }, 2);
    const saved = await s.sdk.createConnection(callback.integration);
    expect(saved).toMatchObject({ id: jira.id, status: "active" });
    expect((await s.sdk.getConnection(wiki.id)).status).toBe("needs_reauth");
    expect(seen.lines).toContainEqual({
      level: "warn",
      fields: { provider: "jira", integration_id: jira.id, error_code: "provider_unavailable" },
      message: "could not list the new grant's sites; siblings in needs_reauth stay there",
    });
  });
});
