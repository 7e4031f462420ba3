// The generic provider's testing kit as a user's CI runs it: the emulator with its defaults, the provider options
// for it, one install through the public API, then an expiry moved on the shared clock (or real time on a wall clock).
import { createSDK, MemoryCache, MemoryStore } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { defineOAuthProvider } from "../define-oauth-provider.js";
import { installOAuth } from "./install-oauth.js";
import { oauthOptionsFor } from "./oauth-options-for.js";
import type { Clock } from "./clock.js";
import { EMULATOR_REDIRECT_URI, startOAuthEmulator, type OAuthEmulator } from "./start-oauth-emulator.js";

const STATE_SECRETS = [{ id: "s1", secret: "state-secret-0123456789-abcdefghijklmnop" }];
const ENCRYPTION = { keys: [{ id: "k1", key: Buffer.alloc(32, 9).toString("base64") }] };

let emulator: OAuthEmulator<Clock> | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function sdkFor(running: OAuthEmulator<Clock>) {
  return createSDK({
    store: new MemoryStore(),
    cache: new MemoryCache({ now: running.clock.now }),
    now: running.clock.now,
    state: { secrets: STATE_SECRETS },
    encryption: ENCRYPTION,
    providers: [defineOAuthProvider(oauthOptionsFor(running))],
  });
}

describe("startOAuthEmulator + oauthOptionsFor + installOAuth", () => {
  it("installs with the defaults, and a refresh follows the shared ManualClock", async () => {
    const started = await startOAuthEmulator();
    emulator = started;
    expect(started.redirectUris).toEqual([EMULATOR_REDIRECT_URI]);
    const sdk = sdkFor(started);
    const saved = await installOAuth(sdk, started, { account_id: "acct-1", user_id: "user-1" });
    expect(saved).toMatchObject({ provider: "acme", account_id: "acct-1", created_by: "user-1", status: "active" });
    expect(started.stats.codeExchanges).toBe(1);
    const first = await sdk.resolveConnection(saved.id);
    started.clock.advance(3_600_000);
    const second = await sdk.resolveConnection(saved.id);
    expect(second.access_token).not.toBe(first.access_token);
    expect(started.stats.refreshes).toBe(1);
  });

  it("a denied consent stops the install before anything is stored", async () => {
    const started = await startOAuthEmulator();
    emulator = started;
    const sdk = sdkFor(started);
    await expect(installOAuth(sdk, started, { account_id: "acct-1", user_id: "user-1", consent: { approve: false } })).rejects.toMatchObject({ code: "authorization_denied" });
    expect(await sdk.listConnections({ account_id: "acct-1" })).toEqual([]);
    expect(started.stats.codeExchanges).toBe(0);
  });

  it("takes any Clock: a wall clock is { now: () => Date.now() }", async () => {
    const wall: Clock = { now: () => Date.now() };
    const started = await startOAuthEmulator({ clock: wall, redirectUris: ["https://app.example.test/callback/acme"] });
    emulator = started;
    expect(started.clock).toBe(wall);
    const saved = await installOAuth(sdkFor(started), started, { account_id: "acct-2", user_id: "user-2" });
    expect(saved.provider).toBe("acme");
  });
});
