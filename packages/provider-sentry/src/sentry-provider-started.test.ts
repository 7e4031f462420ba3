// Installs the service did not start, against the emulator: the login-CSRF attempt (an attacker's state and code in a
// victim's browser), installs from Sentry's integration directory (no state) and the `installation.created` webhook
// carrying a code, as pending installs that only a signed-in user's confirmation turns into a connection.
import { SdkError, type PendingInstall } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { codeOf, useHarness, type Harness } from "../test/harness.js";
import type { SentryRuntime } from "./sentry.js";
import { startWebhookReceiver, type WebhookReceiver } from "./testing/start-webhook-receiver.js";

const start = useHarness();
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const PENDING = { provider: { providerStartedInstalls: "pending" as const } };

/** The callback fields of a redirect URL, as a service's route reads them from the query. */
function callbackOf(location: string, browserBinding?: string) {
  const url = new URL(location);
  return {
    provider: "sentry",
    code: url.searchParams.get("code") ?? undefined,
    installationId: url.searchParams.get("installationId") ?? undefined,
    orgSlug: url.searchParams.get("orgSlug") ?? undefined,
    state: url.searchParams.get("state") ?? undefined,
    ...(browserBinding ? { browser_binding: browserBinding } : {}),
  };
}

async function failure(run: Promise<unknown>): Promise<SdkError> {
  const error = await run.catch((caught: unknown) => caught);
  if (!SdkError.is(error)) throw new Error(`expected an SdkError, got ${String(error)}`);
  return error;
}

describe("login CSRF: an attacker's install finished in a victim's browser", () => {
  it("the attacker's state with the victim's binding is state_binding_mismatch: no code exchange, nothing stored", async () => {
    const h = await start();
    const rejected: string[] = [];
    h.sdk.events.on("state.rejected", (event) => rejected.push(event.code));
    // The victim has an install of their own in flight (their cookie is live).
    const victim = await h.sdk.buildInstallUrl({ provider: "sentry", user_id: "victim", account_id: "victim-acct" });
    // The attacker starts an install in their own session, approves it for their own org and stops at the redirect.
    const attacker = await h.sdk.buildInstallUrl({ provider: "sentry", user_id: "mallory", account_id: "mallory-acct" });
    const trap = await h.emulator.consent(attacker.url, { org: "globex", user: "mallory" });
    // The victim's browser is sent to the trap URL: it carries the attacker's code and state, and the victim's cookie.
    expect(await codeOf(h.sdk.handleInstallCallback(callbackOf(trap, victim.browser_binding)))).toBe("state_binding_mismatch");
    // Without any state (the attacker strips it) it is state_missing: pending installs are off by default.
    expect(await codeOf(h.sdk.handleInstallCallback({ ...callbackOf(trap, victim.browser_binding), state: undefined }))).toBe("state_missing");
    expect(h.emulator.stats.tokenCalls).toBe(0);
    expect(rejected).toEqual(["state_binding_mismatch", "state_missing"]);
    expect(await h.store.list({ account_id: "victim-acct" })).toEqual([]);
  });

  it("with pending installs on, a stripped state still never binds the attacker's org to the victim by itself", async () => {
    const h = await start(PENDING);
    const victim = await h.sdk.buildInstallUrl({ provider: "sentry", user_id: "victim", account_id: "victim-acct" });
    const trap = await h.emulator.installFromDirectory({ org: "globex", user: "mallory" });
    const parked = await failure(h.sdk.handleInstallCallback(callbackOf(trap, victim.browser_binding)));
    expect(parked.code).toBe("install_confirmation_required");
    // The service shows "Connect Sentry organization globex to your account?"; the victim declines (does nothing).
    expect(parked.details.grant).toEqual({ org_slug: "globex", installation_id: new URL(trap).searchParams.get("installationId") });
    expect(await h.store.list({ account_id: "victim-acct" })).toEqual([]);
  });
});

describe("installs started on sentry.io (providerStartedInstalls: \"pending\")", () => {
  it("a directory install is parked, named by its organization, and confirmed for the signed-in user's account", async () => {
    const h = await start(PENDING);
    const location = await h.emulator.installFromDirectory({ org: "acme", user: "ada" });
    const parked = await failure(h.sdk.handleInstallCallback(callbackOf(location, "fresh-cookie-of-this-browser")));
    expect(parked.code).toBe("install_confirmation_required");
    const pending = parked.details as unknown as PendingInstall;
    expect(pending.grant.org_slug).toBe("acme");
    expect(h.emulator.stats.codeExchanges).toBe(1);
    // The organization came from the installation, not from the redirect.
    expect(h.emulator.counters.installation_details).toBe(1);
    expect(await h.sdk.getPendingInstall({ pending_install_id: pending.pending_install_id, browser_binding: "fresh-cookie-of-this-browser" })).toEqual(pending);

    const { integration } = await h.sdk.confirmPendingInstall({ pending_install_id: pending.pending_install_id, browser_binding: "fresh-cookie-of-this-browser", user_id: "ada", account_id: "acct-7" });
    const saved = await h.sdk.createConnection(integration);
    expect(saved).toMatchObject({ account_id: "acct-7", created_by: "ada", natural_key: new URL(location).searchParams.get("installationId"), metadata: { org_slug: "acme" } });
    const runtime = await h.sdk.resolveConnection<SentryRuntime>(saved.id);
    expect(runtime.scopes).toEqual(["org:read", "project:read"]);
    expect((await h.sdk.fetch(saved.id, "/api/0/organizations/acme/projects/")).status).toBe(200);
    expect(await codeOf(h.sdk.confirmPendingInstall({ pending_install_id: pending.pending_install_id, browser_binding: "fresh-cookie-of-this-browser", user_id: "ada", account_id: "acct-8" }))).toBe(
      "pending_install_already_confirmed",
    );
  });

  it("a forged orgSlug is refused before anything is parked; a replayed redirect is pending_install_replayed", async () => {
    const h = await start(PENDING);
    const forged = await h.emulator.installFromDirectory({ org: "acme" });
    const error = await failure(h.sdk.handleInstallCallback({ ...callbackOf(forged), orgSlug: "globex" }));
    expect(error).toMatchObject({ code: "validation_failed", details: { field: "handleInstallCallback.orgSlug" } });

    const location = await h.emulator.installFromDirectory({ org: "globex" });
    expect((await failure(h.sdk.handleInstallCallback(callbackOf(location)))).code).toBe("install_confirmation_required");
    expect((await failure(h.sdk.handleInstallCallback(callbackOf(location)))).code).toBe("pending_install_replayed");
    expect(h.emulator.stats.codeExchanges).toBe(2);
  });

  it("expires after 10 minutes", async () => {
    const h = await start(PENDING);
    const parked = await failure(h.sdk.handleInstallCallback(callbackOf(await h.emulator.installFromDirectory())));
    h.clock.advance(600_000);
    expect(await codeOf(h.sdk.confirmPendingInstall({ pending_install_id: parked.details.pending_install_id as string, user_id: "u", account_id: "a" }))).toBe("pending_install_expired");
  });
});

describe("the installation webhook carrying a code", () => {
  async function withReceiver(h: Harness): Promise<WebhookReceiver> {
    receiver = await startWebhookReceiver(h.sdk);
    return receiver;
  }

  it("installation.created parks a pending install that the browser redirect claims once; one code exchange in all", async () => {
    const h = await start(PENDING);
    const hook = await withReceiver(h);
    const location = await h.emulator.installFromDirectory({ org: "acme" });
    const installationId = new URL(location).searchParams.get("installationId")!;
    expect(await h.emulator.sendInstallationWebhook(hook.url, { action: "created", installationId })).toBe(200);
    const fromWebhook = hook.deliveries[0]!.result!.pending_install!;
    expect(fromWebhook).toMatchObject({ provider: "sentry", grant: { org_slug: "acme", installation_id: installationId } });

    const claimed = await failure(h.sdk.handleInstallCallback(callbackOf(location, "browser-cookie-0001")));
    expect(claimed.code).toBe("install_confirmation_required");
    expect(claimed.details.pending_install_id).toBe(fromWebhook.pending_install_id);
    // Claimed: bound to that browser now, and no other redirect can claim it.
    expect(await codeOf(h.sdk.getPendingInstall({ pending_install_id: fromWebhook.pending_install_id }))).toBe("state_binding_mismatch");
    expect(await codeOf(h.sdk.handleInstallCallback(callbackOf(location, "another-browser-02")))).toBe("pending_install_replayed");
    const { integration } = await h.sdk.confirmPendingInstall({ pending_install_id: fromWebhook.pending_install_id, browser_binding: "browser-cookie-0001", user_id: "u1", account_id: "acct-1" });
    expect(integration.metadata).toMatchObject({ org_slug: "acme", installation_id: installationId });
    expect(h.emulator.stats.codeExchanges).toBe(1);
  });

  it("a webhook-only install can be confirmed by whoever the service gives the id to", async () => {
    const h = await start(PENDING);
    const hook = await withReceiver(h);
    const installationId = new URL(await h.emulator.installFromDirectory({ org: "globex" })).searchParams.get("installationId")!;
    await h.emulator.sendInstallationWebhook(hook.url, { action: "created", installationId });
    const pending = hook.deliveries[0]!.result!.pending_install!;
    const { integration } = await h.sdk.confirmPendingInstall({ pending_install_id: pending.pending_install_id, user_id: "admin", account_id: "acct-2" });
    expect((await h.sdk.createConnection(integration)).metadata).toMatchObject({ org_slug: "globex" });
  });

  it("a signed install whose code the webhook parked first takes that grant for the state's account", async () => {
    const h = await start(PENDING);
    const hook = await withReceiver(h);
    const started = await h.sdk.buildInstallUrl({ provider: "sentry", user_id: "user-1", account_id: "acct-1" });
    const location = await h.emulator.consent(started.url, { org: "acme" });
    await h.emulator.sendInstallationWebhook(hook.url, { action: "created", installationId: new URL(location).searchParams.get("installationId")! });
    const { integration } = await h.sdk.handleInstallCallback(callbackOf(location, started.browser_binding));
    expect(integration).toMatchObject({ account_id: "acct-1", created_by: "user-1", metadata: { org_slug: "acme" } });
    expect(h.emulator.stats.codeExchanges).toBe(1);
    const parked = hook.deliveries[0]!.result!.pending_install!;
    expect(await codeOf(h.sdk.confirmPendingInstall({ pending_install_id: parked.pending_install_id, user_id: "x", account_id: "y" }))).toBe("pending_install_already_confirmed");
  });

  it("a webhook after the signed install is acknowledged without a second exchange; a stale code is acknowledged too", async () => {
    const h = await start(PENDING);
    const hook = await withReceiver(h);
    const started = await h.sdk.buildInstallUrl({ provider: "sentry", user_id: "user-1", account_id: "acct-1" });
    const location = await h.emulator.consent(started.url, { org: "acme" });
    await h.sdk.handleInstallCallback(callbackOf(location, started.browser_binding));
    await h.emulator.sendInstallationWebhook(hook.url, { action: "created", installationId: new URL(location).searchParams.get("installationId")! });
    expect(hook.deliveries[0]).toEqual({ status: 200, result: { event: "installation.created", integration_ids: [] } });
    expect(h.emulator.stats.tokenCalls).toBe(1);

    const late = new URL(await h.emulator.installFromDirectory({ org: "globex" })).searchParams.get("installationId")!;
    h.clock.advance(11 * 60 * 1000);
    await h.emulator.sendInstallationWebhook(hook.url, { action: "created", installationId: late });
    expect(hook.deliveries[1]).toEqual({ status: 200, result: { event: "installation.created", integration_ids: [] } });
  });

  it("without providerStartedInstalls the created webhook is only acknowledged", async () => {
    const h = await start();
    const hook = await withReceiver(h);
    const installationId = new URL(await h.emulator.installFromDirectory()).searchParams.get("installationId")!;
    await h.emulator.sendInstallationWebhook(hook.url, { action: "created", installationId });
    expect(hook.deliveries[0]).toEqual({ status: 200, result: { event: "installation.created", integration_ids: [] } });
    expect(h.emulator.stats.tokenCalls).toBe(0);
  });
});

describe("webhook replay window", () => {
  it("refuses a Sentry-Hook-Timestamp more than 5 minutes away and a Request-ID seen before", async () => {
    const h = await start();
    const hook = (receiver = await startWebhookReceiver(h.sdk));
    const { id, installationId } = await h.connect();
    const now = Math.floor(h.clock.now() / 1000);
    h.emulator.uninstall(installationId);
    expect(await h.emulator.sendInstallationWebhook(hook.url, { action: "deleted", installationId, timestamp: now - 301 })).toBe(409);
    expect(await h.emulator.sendInstallationWebhook(hook.url, { action: "deleted", installationId, timestamp: now + 301 })).toBe(409);
    expect((await h.sdk.getConnection(id)).status).toBe("active");
    expect(await h.emulator.sendInstallationWebhook(hook.url, { action: "deleted", installationId, timestamp: now - 299, requestId: "delivery-1" })).toBe(200);
    expect((await h.sdk.getConnection(id)).status).toBe("revoked");
    expect(await h.emulator.sendInstallationWebhook(hook.url, { action: "deleted", installationId, requestId: "delivery-1" })).toBe(409);
    expect(hook.deliveries.map((delivery) => delivery.code ?? delivery.status)).toEqual(["webhook_replayed", "webhook_replayed", 200, "webhook_replayed"]);
  });

  it("a delivery that failed is not remembered, so Sentry's redelivery is applied", async () => {
    const h = await start(PENDING);
    const hook = (receiver = await startWebhookReceiver(h.sdk));
    const installationId = new URL(await h.emulator.installFromDirectory()).searchParams.get("installationId")!;
    h.emulator.fault("authorizations", { kind: "status", status: 503, body: { detail: "down" } }, 3);
    expect(await h.emulator.sendInstallationWebhook(hook.url, { action: "created", installationId, requestId: "delivery-2" })).toBe(500);
    expect(await h.emulator.sendInstallationWebhook(hook.url, { action: "created", installationId, requestId: "delivery-2" })).toBe(200);
    expect(hook.deliveries[1]!.result!.pending_install).toBeDefined();
  });
});
