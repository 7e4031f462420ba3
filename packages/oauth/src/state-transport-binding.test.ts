// stateTransport "binding": the provider's redirect carries no `state` (Sentry), so the signed state travels in the
// browser binding (the httpOnly cookie) and the callback verifies it from there with the same fixed check order.
import { SdkError } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../test/harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return "accepted";
  } catch (error) {
    if (SdkError.is(error)) return error.code;
    throw error;
  }
}

describe("stateTransport: binding", () => {
  it("returns the signed state as the browser binding and completes the install from it alone", async () => {
    const h = (harness = await startHarness({ provider: { stateTransport: "binding" } }));
    const started = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
    expect(started.browser_binding).toBe(started.state);
    const back = new URL(await h.server.consent(started.url));
    const code = back.searchParams.get("code") ?? undefined;
    const callback = await h.sdk.handleInstallCallback({ provider: "acme", code, browser_binding: started.browser_binding });
    expect(callback.integration).toMatchObject({ provider: "acme", account_id: "acct-1", created_by: "user-1" });
    expect(h.server.stats.codeExchanges).toBe(1);
  });

  it("rejects a missing, tampered or replayed binding with the state codes, before any token call", async () => {
    const h = (harness = await startHarness({ provider: { stateTransport: "binding" } }));
    const started = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await h.server.consent(started.url));
    const code = back.searchParams.get("code") ?? undefined;
    const rejected: string[] = [];
    h.sdk.events.on("state.rejected", (event) => rejected.push(event.code));
    const [payload, signature] = started.browser_binding.split(".") as [string, string];
    const other = payload.startsWith("e") ? `f${payload.slice(1)}` : `e${payload.slice(1)}`;

    expect(await codeOf(() => h.sdk.handleInstallCallback({ provider: "acme", code }))).toBe("state_missing");
    // The `state` query parameter is not where this transport looks: a state there alone is still missing.
    expect(await codeOf(() => h.sdk.handleInstallCallback({ provider: "acme", code, state: started.state }))).toBe("state_missing");
    expect(await codeOf(() => h.sdk.handleInstallCallback({ provider: "acme", code, browser_binding: `${other}.${signature}` }))).toMatch(/^state_(malformed|bad_signature)$/);
    expect(h.server.stats.codeExchanges).toBe(0);
    expect(await codeOf(() => h.sdk.handleInstallCallback({ provider: "acme", code, browser_binding: started.browser_binding }))).toBe("accepted");
    expect(await codeOf(() => h.sdk.handleInstallCallback({ provider: "acme", code, browser_binding: started.browser_binding }))).toBe("state_replayed");
    expect(h.server.stats.codeExchanges).toBe(1);
    expect(rejected).toHaveLength(4);
  });

  it("expires with the state lifetime", async () => {
    const h = (harness = await startHarness({ provider: { stateTransport: "binding" } }));
    const started = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
    h.clock.advance(601_000);
    expect(await codeOf(() => h.sdk.handleInstallCallback({ provider: "acme", code: "any", browser_binding: started.browser_binding }))).toBe("state_expired");
  });
});
