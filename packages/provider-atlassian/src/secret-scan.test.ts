// Planted-secret scan over the Atlassian paths: install, every state and site-selection reject, accessible-resources
// and token-endpoint faults (one echoing a token in its description), family revocation, re-install recovery and its
// warning. No client secret, state secret, encryption key, code, binding, state or token may appear in any thrown
// error (message, details, stack, cause chain), any event payload or any log line.
import { afterEach, describe, expect, it } from "vitest";
import { recordErrors } from "@sdk/core/testing";
import { observe } from "../test/observe.js";
import { SANDBOX_STATE_SECRETS, startAtlassianSandbox, type AtlassianSandbox } from "./testing.js";

const ACME = { id: "11111111-1111-4111-8111-111111111111", name: "acme", url: "https://acme.atlassian.net", products: ["jira" as const, "jsm" as const, "confluence" as const] };
const WIKI = { id: "33333333-3333-4333-8333-333333333333", name: "wiki", url: "https://wiki.atlassian.net", products: ["confluence" as const] };
const CLIENT_SECRET = "planted-client-secret-7c1f0e9d8b2a";
const ENCRYPTION_KEY = Buffer.from("planted-encryption-key-32-bytes!").toString("base64");

let s: AtlassianSandbox | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe("no secret in any error, event or log line of the Atlassian provider", () => {
  it("over install, selection, faults, revocation and recovery", async () => {
    const seen = observe();
    s = await startAtlassianSandbox({
      emulator: { sites: [ACME, WIKI], clientSecret: CLIENT_SECRET },
      // A deadline the delay fault below exceeds, with room for a loaded machine: at 150 ms a slow first code exchange
      // timed out, was retried, and met a spent code.
      provider: { retry: { attempts: 2, baseDelayMs: 1 }, timeoutMs: 1000 },
      encryption: [{ id: "k1", key: ENCRYPTION_KEY }],
      logger: seen.logger,
    });
    seen.watch(s.sdk);
    const sandbox = s;
    const secrets = new Set<string>([CLIENT_SECRET, SANDBOX_STATE_SECRETS[0]!.secret, ENCRYPTION_KEY]);
    const { texts: errors, capture } = recordErrors(8);
    const plant = (values: Record<string, unknown>) => {
      for (const value of Object.values(values)) if (typeof value === "string" && value.length > 8) secrets.add(value);
    };
    const start = async (provider: string) => {
      const install = await sandbox.sdk.buildInstallUrl({ provider, user_id: "user-1", account_id: "acct-1" });
      secrets.add(install.browser_binding);
      secrets.add(install.state);
      return install;
    };
    const consent = async (url: string, sites: string[]) => {
      const back = new URL(await sandbox.emulator.consent(url, { sites }));
      secrets.add(back.searchParams.get("code")!);
      return { code: back.searchParams.get("code")!, state: back.searchParams.get("state")! };
    };

    // Jira, single site, with every state reject first.
    const jiraInstall = await start("jira");
    const jiraBack = await consent(jiraInstall.url, [ACME.id]);
    await capture(() => sandbox.sdk.handleInstallCallback({ provider: "jira", ...jiraBack, state: `${jiraBack.state}x`, browser_binding: jiraInstall.browser_binding }));
    await capture(() => sandbox.sdk.handleInstallCallback({ provider: "jira", ...jiraBack, browser_binding: "some-other-browser-binding" }));
    await capture(() => sandbox.sdk.handleInstallCallback({ provider: "jsm", ...jiraBack, browser_binding: jiraInstall.browser_binding }));
    const jiraCallback = (await sandbox.sdk.handleInstallCallback({ provider: "jira", ...jiraBack, browser_binding: jiraInstall.browser_binding })).integration;
    plant(jiraCallback.credentials);
    await capture(() => sandbox.sdk.handleInstallCallback({ provider: "jira", ...jiraBack, browser_binding: jiraInstall.browser_binding }));
    const jira = await sandbox.sdk.createConnection(jiraCallback);

    // Confluence on two sites: every selection reject, then the pick.
    const wikiInstall = await start("confluence");
    const wikiBack = await consent(wikiInstall.url, [ACME.id, WIKI.id]);
    const parked = await capture(() => sandbox.sdk.handleInstallCallback({ provider: "confluence", ...wikiBack, browser_binding: wikiInstall.browser_binding }));
    expect(parked).toBeUndefined();
    const selectionId = /"selection_id":"([^"]+)"/.exec(errors.at(-1)!)![1]!;
    const select = (extra: Record<string, string>) => sandbox.sdk.completeSiteSelection({ selection_id: selectionId, cloud_id: WIKI.id, browser_binding: wikiInstall.browser_binding, ...extra });
    await capture(() => select({ cloud_id: "99999999-9999-4999-8999-999999999999" }));
    await capture(() => select({ browser_binding: jiraInstall.browser_binding }));
    await capture(() => select({ user_id: "mallory" }));
    await capture(() => sandbox.sdk.completeSiteSelection({ selection_id: "confluence.notAParkedSelection", cloud_id: WIKI.id, browser_binding: wikiInstall.browser_binding }));
    const wikiCallback = (await select({})).integration;
    plant(wikiCallback.credentials);
    await capture(() => select({}));
    const wiki = await sandbox.sdk.createConnection(wikiCallback);

    // accessible-resources faults during a callback, one echoing the access token back.
    for (const fault of [
      { kind: "status", status: 401, body: { code: 401, message: `Unauthorized token ${jiraCallback.credentials.access_token as string}` } },
      { kind: "malformed" },
      { kind: "status", status: 200, body: [{ id: jiraCallback.credentials.refresh_token, url: "x", name: "x" }] },
    ] as const) {
      const install = await start("jsm");
      const back = await consent(install.url, [ACME.id]);
      sandbox.emulator.fault("accessible_resources", fault, 2);
      await capture(() => sandbox.sdk.handleInstallCallback({ provider: "jsm", ...back, browser_binding: install.browser_binding }));
      sandbox.emulator.clearFaults();
    }

    // Token endpoint faults during refresh, one describing the refresh token it got.
    for (const fault of [
      { kind: "status", status: 500 },
      { kind: "rate_limit", retryAfterSeconds: 600 },
      { kind: "delay", ms: 2000 },
      { kind: "malformed" },
      { kind: "status", status: 400, body: { error: "invalid_request", error_description: `bad refresh_token ${await sandbox.refreshTokenOf(jira.id)}` } },
    ] as const) {
      sandbox.clock.advance(3600_000);
      plant({ refresh: await sandbox.refreshTokenOf(jira.id) });
      sandbox.emulator.fault("token", fault, 2);
      await capture(() => sandbox.sdk.resolveConnection(jira.id));
      sandbox.emulator.clearFaults();
      sandbox.clock.advance(3000);
      const runtime = await capture(() => sandbox.sdk.resolveConnection(jira.id));
      if (runtime) plant({ access: runtime.access_token });
    }
    await capture(() => sandbox.sdk.fetch(wiki.id, "/rest/api/3/myself"));

    // Reuse after the window: family revoked, every sibling needs_reauth.
    const stale = (await sandbox.store.get(wiki.id))!;
    sandbox.clock.advance(3600_000);
    await capture(() => sandbox.sdk.resolveConnection(jira.id));
    sandbox.clock.advance(11 * 60_000);
    plant({ refresh: await sandbox.refreshTokenOf(jira.id) });
    const current = (await sandbox.store.get(wiki.id))!;
    await sandbox.store.update(wiki.id, { credentials: stale.credentials, updated_at: new Date(sandbox.clock.now()).toISOString() }, { expectedVersion: current.version });
    await capture(() => sandbox.sdk.resolveConnection(wiki.id));
    await capture(() => sandbox.sdk.fetch(jira.id, "/rest/api/3/myself"));
    expect((await sandbox.sdk.getConnection(jira.id)).status).toBe("needs_reauth");

    // Re-install with the sites listing failing in afterSave (warning), then a clean one (recovery).
    const again = await start("jira");
    const againBack = await consent(again.url, [ACME.id, WIKI.id]);
    const againCallback = (await sandbox.sdk.handleInstallCallback({ provider: "jira", ...againBack, browser_binding: again.browser_binding })).integration;
    plant(againCallback.credentials);
    sandbox.emulator.fault("accessible_resources", { kind: "status", status: 500, body: { message: `token ${againCallback.credentials.access_token as string}` } }, 2);
    await sandbox.sdk.createConnection(againCallback);
    const last = await start("jira");
    const lastBack = await consent(last.url, [ACME.id, WIKI.id]);
    const lastCallback = (await sandbox.sdk.handleInstallCallback({ provider: "jira", ...lastBack, browser_binding: last.browser_binding })).integration;
    plant(lastCallback.credentials);
    await sandbox.sdk.createConnection(lastCallback);
    expect((await sandbox.sdk.getConnection(wiki.id)).status).toBe("active");
    await capture(() => sandbox.sdk.deleteConnection(wiki.id, { revoke: true }));

    // A wrong client secret at the token endpoint (Atlassian: 401 access_denied).
    const wrongSecret = "planted-wrong-client-secret-5d4c3b2a";
    secrets.add(wrongSecret);
    const wrong = await startAtlassianSandbox({ emulator: { clientSecret: CLIENT_SECRET }, provider: { clientSecret: wrongSecret }, logger: seen.logger });
    try {
      seen.watch(wrong.sdk);
      const install = await wrong.sdk.buildInstallUrl({ provider: "jira", user_id: "user-1", account_id: "acct-1" });
      secrets.add(install.browser_binding);
      const back = new URL(await wrong.emulator.consent(install.url));
      secrets.add(back.searchParams.get("code")!);
      await capture(() => wrong.sdk.handleInstallCallback({ provider: "jira", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: install.browser_binding }));
      expect(errors.at(-1)).toContain("invalid_client");
    } finally {
      await wrong.close();
    }

    const names = new Set(seen.events.map((event) => event.name));
    for (const name of ["state.rejected", "token.refreshed", "token.refresh_failed", "connection.needs_reauth", "connection.recovered", "connection.deleted"]) expect(names).toContain(name);
    expect(seen.lines.some((line) => line.level === "warn")).toBe(true);
    expect(errors.length).toBeGreaterThanOrEqual(20);
    expect(errors.some((text) => text.includes("atlassian_site_selection_required"))).toBe(true);

    const text = [...errors, ...seen.events.map((event) => JSON.stringify(event)), ...seen.lines.map((line) => JSON.stringify(line))].join("\n");
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(text).not.toContain(secret);
    }
    expect(secrets.size).toBeGreaterThan(25);
  });
});
