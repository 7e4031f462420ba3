// Installs the service did not start (a callback without state): off by default (`state_missing`); with the
// `pendingInstall` hook they are exchanged, parked encrypted and become a draft only through confirmPendingInstall.
import { SdkError } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { REDIRECT_URI, startHarness, type Harness } from "../test/harness.js";
import type { PendingInstallHooks } from "./oauth-provider-options.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function failure(run: () => Promise<unknown>): Promise<SdkError> {
  try {
    await run();
  } catch (error) {
    if (SdkError.is(error)) return error;
    throw error;
  }
  throw new Error("expected an SdkError");
}

const describeGrant: PendingInstallHooks = {
  describe: async ({ now }, { scopes }) => ({ metadata: { tenant: "tenant-1", seen_at: now() }, grant: { tenant: "tenant-1", scopes: scopes.join(" ") } }),
};

/** The provider's own install button: its authorize request carries no state of ours. */
async function providerStartedCallback(h: Harness): Promise<{ provider: "acme"; code: string | undefined }> {
  const url = new URL(h.server.authorizeUrl);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", h.server.clientId);
  url.searchParams.set("redirect_uri", REDIRECT_URI);
  url.searchParams.set("scope", "read");
  const back = new URL(await h.server.consent(url.toString()));
  expect(back.searchParams.has("state")).toBe(false);
  return { provider: "acme", code: back.searchParams.get("code") ?? undefined };
}

describe("pending installs (installs the service did not start)", () => {
  it("are state_missing without the hook, and nothing is exchanged", async () => {
    const h = (harness = await startHarness());
    const callback = await providerStartedCallback(h);
    expect((await failure(() => h.sdk.handleInstallCallback(callback))).code).toBe("state_missing");
    expect(h.server.stats.codeExchanges).toBe(0);
    expect((await failure(() => h.sdk.getPendingInstall({ pending_install_id: "acme.abcdefghijklmnop" }))).code).toBe("unsupported_operation");
  });

  it("park the exchanged grant, encrypted, and become a draft only when a user confirms it for an account", async () => {
    const h = (harness = await startHarness({ provider: { pendingInstall: describeGrant } }));
    // A bare callback (no state, no code) is still state_missing: there is nothing to park.
    expect((await failure(() => h.sdk.handleInstallCallback({ provider: "acme" }))).code).toBe("state_missing");
    const callback = await providerStartedCallback(h);
    const parked = await failure(() => h.sdk.handleInstallCallback({ ...callback, browser_binding: "binding-of-the-callback-browser" }));
    expect(parked.code).toBe("install_confirmation_required");
    expect(h.server.stats.codeExchanges).toBe(1);
    const id = parked.details.pending_install_id as string;
    expect(parked.details).toMatchObject({ provider: "acme", grant: { tenant: "tenant-1", scopes: "read" } });
    expect(Date.parse(parked.details.expires_at as string) - h.clock.now()).toBe(600_000);
    expect(await h.store.list({ account_id: "acct-1" })).toEqual([]);

    const raw = await h.cache.get(`sdk:pending_install:${id}`);
    expect(raw).toBeDefined();
    expect(raw).not.toMatch(/(at|rt)_[\w-]{20}/);
    expect(JSON.parse(raw!)).toMatchObject({ v: 1, kid: "k1" });

    expect(await h.sdk.getPendingInstall({ pending_install_id: id, browser_binding: "binding-of-the-callback-browser" })).toEqual({
      pending_install_id: id,
      provider: "acme",
      grant: { tenant: "tenant-1", scopes: "read" },
      expires_at: parked.details.expires_at,
    });
    const confirmed = await h.sdk.confirmPendingInstall({ pending_install_id: id, browser_binding: "binding-of-the-callback-browser", user_id: "user-9", account_id: "acct-9" });
    expect(confirmed.integration).toMatchObject({ provider: "acme", account_id: "acct-9", created_by: "user-9", scopes: ["read"], metadata: { tenant: "tenant-1" } });
    const saved = await h.sdk.createConnection(confirmed.integration);
    const runtime = await h.sdk.resolveConnection(saved.id);
    const api = await fetch(h.server.apiUrl, { headers: runtime.headers });
    expect(api.status).toBe(200);
    expect(await h.cache.get(`sdk:pending_install:${id}`)).toBeUndefined();
  });

  it("refuse a second confirm, a late one and a replayed callback with their own codes", async () => {
    const h = (harness = await startHarness({ provider: { pendingInstall: describeGrant } }));
    const callback = await providerStartedCallback(h);
    const id = (await failure(() => h.sdk.handleInstallCallback(callback))).details.pending_install_id as string;
    expect((await failure(() => h.sdk.handleInstallCallback(callback))).code).toBe("pending_install_replayed");
    expect(h.server.stats.codeExchanges).toBe(1);
    await h.sdk.confirmPendingInstall({ pending_install_id: id, user_id: "user-1", account_id: "acct-1" });
    expect((await failure(() => h.sdk.confirmPendingInstall({ pending_install_id: id, user_id: "user-2", account_id: "acct-2" }))).code).toBe("pending_install_already_confirmed");
    expect((await failure(() => h.sdk.getPendingInstall({ pending_install_id: id }))).code).toBe("pending_install_already_confirmed");

    const late = await providerStartedCallback(h);
    const lateId = (await failure(() => h.sdk.handleInstallCallback(late))).details.pending_install_id as string;
    h.clock.advance(600_000);
    expect((await failure(() => h.sdk.confirmPendingInstall({ pending_install_id: lateId, user_id: "user-1", account_id: "acct-1" }))).code).toBe("pending_install_expired");
    expect((await failure(() => h.sdk.confirmPendingInstall({ pending_install_id: "acme.never-issued-id-000000", user_id: "user-1", account_id: "acct-1" }))).code).toBe("pending_install_expired");
    expect(await h.store.list({ account_id: "acct-1" })).toEqual([]);
  });

  it("stay with the browser that received the callback", async () => {
    const h = (harness = await startHarness({ provider: { pendingInstall: describeGrant } }));
    const id = (await failure(async () => h.sdk.handleInstallCallback({ ...(await providerStartedCallback(h)), browser_binding: "binding-of-the-callback-browser" }))).details
      .pending_install_id as string;
    const rejected: string[] = [];
    h.sdk.events.on("state.rejected", (event) => rejected.push(event.code));
    expect((await failure(() => h.sdk.getPendingInstall({ pending_install_id: id }))).code).toBe("state_binding_mismatch");
    expect((await failure(() => h.sdk.confirmPendingInstall({ pending_install_id: id, browser_binding: "another-browser-binding", user_id: "u", account_id: "a" }))).code).toBe(
      "state_binding_mismatch",
    );
    expect(rejected).toEqual(["state_binding_mismatch", "state_binding_mismatch"]);
    const confirmed = await h.sdk.confirmPendingInstall({ pending_install_id: id, browser_binding: "binding-of-the-callback-browser", user_id: "u", account_id: "a" });
    expect(confirmed.integration.account_id).toBe("a");
  });

  it("park nothing when the hook refuses the grant, and the code can be retried", async () => {
    const refusing: PendingInstallHooks = {
      describe: async () => {
        throw new SdkError("validation_failed", "not this tenant", { details: { field: "tenant" } });
      },
    };
    const h = (harness = await startHarness({ provider: { pendingInstall: refusing } }));
    const callback = await providerStartedCallback(h);
    expect((await failure(() => h.sdk.handleInstallCallback(callback))).code).toBe("validation_failed");
    // The reservation was released: the provider (the code is single use there) decides the retry.
    expect((await failure(() => h.sdk.handleInstallCallback(callback))).code).toBe("reauth_required");
  });

  it("validate the confirmation input and never take an account that was not given", async () => {
    const h = (harness = await startHarness({ provider: { pendingInstall: describeGrant } }));
    const id = (await failure(async () => h.sdk.handleInstallCallback(await providerStartedCallback(h)))).details.pending_install_id as string;
    const missing = await failure(() => h.sdk.confirmPendingInstall({ pending_install_id: id, user_id: "user-1" } as never));
    expect(missing).toMatchObject({ code: "validation_failed", details: { field: "confirmPendingInstall.account_id" } });
    expect((await failure(() => h.sdk.confirmPendingInstall({ pending_install_id: "../etc", user_id: "u", account_id: "a" }))).details.field).toBe(
      "confirmPendingInstall.pending_install_id",
    );
    expect((await failure(() => h.sdk.confirmPendingInstall({ pending_install_id: "nope.abcdefghijkl", user_id: "u", account_id: "a" }))).code).toBe("provider_not_found");
    // Still there for the right call.
    expect((await h.sdk.confirmPendingInstall({ pending_install_id: id, user_id: "u", account_id: "a" })).integration.account_id).toBe("a");
  });

  it("cap the wait at 10 minutes", async () => {
    const h = (harness = await startHarness({ provider: { pendingInstall: { ...describeGrant, ttlSeconds: 3600 } } }));
    const parked = await failure(async () => h.sdk.handleInstallCallback(await providerStartedCallback(h)));
    expect(Date.parse(parked.details.expires_at as string) - h.clock.now()).toBe(600_000);
  });
});
