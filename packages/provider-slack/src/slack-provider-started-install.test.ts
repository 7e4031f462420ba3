// Installs the service did not start (issue 13, part 2, Slack): an Enterprise Grid org admin installs the app org-wide
// from Slack's side and the callback has no state. Off by default (`state_missing`); with
// `providerStartedInstalls: "pending"` the grant is parked and becomes a connection only when a user confirms it.
import { afterEach, describe, expect, it } from "vitest";
import { failure, startSlackHarness, type SlackHarness } from "../test/harness.js";
import { findSlackConnection } from "./find-slack-connection.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const BINDING = "binding-of-the-browser-that-got-the-callback";

async function slackStartedCallback(harness: SlackHarness, decision: { team: string; user: string }) {
  const redirect = new URL(await harness.emulator.installFromSlack({ scopes: ["chat:write"], userScopes: ["search:read"], ...decision }));
  expect(redirect.searchParams.has("state")).toBe(false);
  return { provider: "slack" as const, code: redirect.searchParams.get("code") ?? undefined };
}

describe("installs started on Slack's side (no state on the callback)", () => {
  it("are state_missing by default, and nothing is exchanged or stored", async () => {
    h = await startSlackHarness();
    const callback = await slackStartedCallback(h, { team: "E0GRID0001", user: "W0ADMIN001" });
    expect((await failure(h.sdk.handleInstallCallback({ ...callback, browser_binding: BINDING }))).code).toBe("state_missing");
    expect(h.emulator.stats.tokenCalls).toBe(0);
    expect(await h.sdk.listConnections({ account_id: "acct-1" })).toEqual([]);
  });

  it("with providerStartedInstalls: 'pending', an org-wide install is parked naming the org and becomes a connection only when confirmed", async () => {
    h = await startSlackHarness({ provider: { providerStartedInstalls: "pending", userScopes: ["search:read"] } });
    const callback = await slackStartedCallback(h, { team: "E0GRID0001", user: "W0ADMIN001" });
    const parked = await failure(h.sdk.handleInstallCallback({ ...callback, browser_binding: BINDING }));
    expect(parked.code).toBe("install_confirmation_required");
    expect(parked.details).toMatchObject({
      provider: "slack",
      grant: { install: "organization", enterprise_id: "E0GRID0001", enterprise_name: "Grid Org", installed_by: "W0ADMIN001" },
    });
    expect(parked.details.grant).not.toHaveProperty("team_id");
    expect(JSON.stringify(parked)).not.toMatch(/xox[a-z]-|xoxe/);
    expect(await h.sdk.listConnections({ account_id: "acct-1" })).toEqual([]);
    const id = String(parked.details.pending_install_id);
    expect(await h.sdk.getPendingInstall({ pending_install_id: id, browser_binding: BINDING })).toMatchObject({ grant: { enterprise_id: "E0GRID0001" } });
    // The same callback again (a reload, a replayed link) does not park it twice.
    expect((await failure(h.sdk.handleInstallCallback({ ...callback, browser_binding: BINDING }))).code).toBe("pending_install_replayed");
    // Another browser cannot take it.
    expect((await failure(h.sdk.confirmPendingInstall({ pending_install_id: id, browser_binding: "someone-elses-browser-binding", user_id: "u9", account_id: "acct-9" }))).code).toBe("state_binding_mismatch");

    const { integration } = await h.sdk.confirmPendingInstall({ pending_install_id: id, browser_binding: BINDING, user_id: "app-user-1", account_id: "acct-1" });
    const saved = await h.sdk.createConnection(integration);
    expect(saved).toMatchObject({ natural_key: "enterprise:E0GRID0001", account_id: "acct-1", created_by: "app-user-1", metadata: { is_enterprise_install: true, team_id: null } });
    const admin = await findSlackConnection(h.sdk, { account_id: "acct-1", enterprise_id: "E0GRID0001", user_id: "W0ADMIN001" });
    expect(admin?.natural_key).toBe("enterprise:E0GRID0001:user:W0ADMIN001");
    const runtime = await h.resolve(saved.id);
    expect(runtime).toMatchObject({ enterprise_id: "E0GRID0001", is_enterprise_install: true, token_type: "bot" });
    const who = await h.sdk.fetch(saved.id, "/auth.test", { method: "POST" });
    expect(await who.json()).toMatchObject({ ok: true, enterprise_id: "E0GRID0001", is_enterprise_install: true });

    expect((await failure(h.sdk.confirmPendingInstall({ pending_install_id: id, browser_binding: BINDING, user_id: "app-user-1", account_id: "acct-1" }))).code).toBe("pending_install_already_confirmed");
    expect(h.emulator.stats.codeExchanges).toBe(1);
  });

  it("a workspace install from the App Directory names the workspace; an unconfirmed one expires after 10 minutes", async () => {
    h = await startSlackHarness({ provider: { providerStartedInstalls: "pending" } });
    const callback = await slackStartedCallback(h, { team: "T0ACME0001", user: "U0ALICE001" });
    const parked = await failure(h.sdk.handleInstallCallback({ ...callback, browser_binding: BINDING }));
    expect(parked.details).toMatchObject({ grant: { install: "workspace", team_id: "T0ACME0001", team_name: "Acme", installed_by: "U0ALICE001" } });
    h.emulator.clock.advance(600_000 + 1000);
    const late = await failure(h.sdk.confirmPendingInstall({ pending_install_id: String(parked.details.pending_install_id), browser_binding: BINDING, user_id: "app-user-1", account_id: "acct-1" }));
    expect(late.code).toBe("pending_install_expired");
    expect(await h.sdk.listConnections({ account_id: "acct-1" })).toEqual([]);
  });

  it("installs the service started keep working as before with the option on", async () => {
    h = await startSlackHarness({ provider: { providerStartedInstalls: "pending" } });
    const saved = await h.install();
    expect(saved).toMatchObject({ natural_key: "team:T0ACME0001", status: "active" });
  });

  it("the option is validated", async () => {
    h = await startSlackHarness();
    const { slack } = await import("./slack.js");
    let caught: unknown;
    try {
      slack({ ...h.options, providerStartedInstalls: "always" as never });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "misconfigured", details: { field: "slack.providerStartedInstalls" } });
  });
});
