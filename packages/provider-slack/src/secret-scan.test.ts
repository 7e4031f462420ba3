import { recordErrors } from "@sdk/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { TWELVE_HOURS, startSlackHarness, type SlackHarness } from "../test/harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Everything an error exposes: name, message, stack, details, JSON, down its cause chain. */

describe("no token, code or secret in any error, event or log line of the Slack provider", () => {
  it("over installs, callback rejections, refreshes with every fault, sdk.fetch, revoke and reauth", async () => {
    h = await startSlackHarness({
      emulator: { codeTtlMs: 60_000 },
      provider: { userScopes: ["search:read"], scopes: ["chat:write", "incoming-webhook"], retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 500 }, timeoutMs: 300 },
    });
    const harness = h;
    const { emulator, sdk } = harness;
    const secrets = new Set<string>([emulator.clientSecret, emulator.signingSecret, "planted-wrong-secret-7f3a"]);
    const { texts: errors, capture } = recordErrors();
    const collectTokens = () => {
      for (const chain of emulator.chains()) {
        for (const token of chain.liveAccessTokens) secrets.add(token);
        if (chain.refreshToken) secrets.add(chain.refreshToken);
      }
    };
    const start = async (on = sdk) => {
      const started = await on.buildInstallUrl({ provider: "slack", user_id: "u1", account_id: "acct-1" });
      secrets.add(started.browser_binding);
      const back = new URL(await emulator.consent(started.url));
      const code = back.searchParams.get("code")!;
      secrets.add(code);
      return { started, code, state: back.searchParams.get("state")! };
    };

    // Install, with every state rejection and a replay on the way.
    const first = await start();
    await capture(() => sdk.handleInstallCallback({ provider: "slack", code: first.code, state: `${first.state}x`, browser_binding: first.started.browser_binding }));
    await capture(() => sdk.handleInstallCallback({ provider: "slack", code: first.code, state: first.state, browser_binding: "0000000000000000-not-it" }));
    const callback = await sdk.handleInstallCallback({ provider: "slack", code: first.code, state: first.state, browser_binding: first.started.browser_binding });
    await capture(() => sdk.handleInstallCallback({ provider: "slack", code: first.code, state: first.state, browser_binding: first.started.browser_binding }));
    const saved = await sdk.createConnection(callback.integration);
    collectTokens();

    // Provider errors at the callback: an expired code, a wrong client secret.
    const late = await start();
    emulator.clock.advance(61_000);
    await capture(() => sdk.handleInstallCallback({ provider: "slack", code: late.code, state: late.state, browser_binding: late.started.browser_binding }));
    const wrong = harness.process({ clientSecret: "planted-wrong-secret-7f3a" });
    const rejected = await start(wrong);
    await capture(() => wrong.handleInstallCallback({ provider: "slack", code: rejected.code, state: rejected.state, browser_binding: rejected.started.browser_binding }));

    // Refreshes through every fault, with Slack bodies that echo secrets.
    const echo = [...secrets].find((value) => value.startsWith("xoxe-1-"))!;
    for (const fault of [
      { kind: "status", status: 500 },
      { kind: "rate_limit", retryAfterSeconds: 30 },
      { kind: "delay", ms: 500 },
      { kind: "malformed" },
      { kind: "disconnect" },
      { kind: "status", status: 200, body: { ok: false, error: echo, needed: echo, warning: emulator.clientSecret } },
      { kind: "status", status: 400, body: { ok: false, error: "invalid_refresh_token", response_metadata: { messages: [echo] } } },
    ] as const) {
      emulator.clock.advance(TWELVE_HOURS);
      emulator.fault("oauth.v2.access", fault, 2);
      await capture(() => harness.resolve(saved.id));
      emulator.clearFaults();
      if ((await sdk.getConnection(saved.id)).status !== "active") break;
      await capture(() => harness.resolve(saved.id));
      collectTokens();
    }

    // A fresh install for the remaining paths (the one above may be needs_reauth by now).
    const second = await harness.install({ account_id: "acct-2" });
    collectTokens();
    const runtime = await harness.resolve(second.id);
    emulator.expireToken(runtime.access_token);
    await capture(() => sdk.fetch(second.id, "/chat.postMessage", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ channel: "C0GENERAL1", text: "x" }) }));
    collectTokens();
    emulator.fault("auth.revoke", { kind: "status", status: 200, body: { ok: false, error: "internal_error", token: runtime.access_token } }, 2);
    await capture(() => sdk.deleteConnection(second.id, { revoke: true }));
    await capture(() => sdk.deleteConnection(second.id, { revoke: true }));
    const third = await harness.install({ account_id: "acct-3" });
    collectTokens();
    // Slack events: a bad signature, a replay outside the window, then the uninstall applied (connection.revoked).
    const uninstall = emulator.eventRequest("T0ACME0001", { type: "app_uninstalled" });
    await capture(() => sdk.handleWebhook({ provider: "slack", headers: { ...uninstall.headers, "x-slack-signature": `v0=${"ab".repeat(32)}` }, body: uninstall.body }));
    const stale = emulator.eventRequest("T0ACME0001", { type: "app_uninstalled" }, { timestampSeconds: Math.floor(emulator.clock.now() / 1000) - 3600 });
    await capture(() => sdk.handleWebhook({ provider: "slack", ...stale }));
    await capture(() => sdk.handleWebhook({ provider: "slack", ...emulator.eventRequest("T0ACME0001", { type: "tokens_revoked", tokens: { oauth: ["not an id"] } }) }));
    await sdk.handleWebhook({ provider: "slack", ...uninstall });
    emulator.revokeInstall("T0ACME0001");
    emulator.clock.advance(TWELVE_HOURS);
    await capture(() => harness.resolve(third.id));

    const text = [...errors, ...harness.events.map((event) => JSON.stringify(event)), ...harness.lines.map((line) => JSON.stringify(line))].join("\n");
    expect(errors.length).toBeGreaterThan(12);
    expect(harness.events.length).toBeGreaterThan(8);
    expect(secrets.size).toBeGreaterThan(15);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(15);
      expect(text).not.toContain(secret);
    }
    // The incoming-webhook URL of each install is a secret too; it points at the emulator's /services/.
    expect(text).not.toContain(`${emulator.url}/services/`);
    expect(text).toMatch(/invalid_refresh_token/);
    expect(text).toMatch(/webhook_signature_invalid[\s\S]*webhook_replayed/);
    expect(harness.events.some((event) => event.name === "connection.revoked")).toBe(true);
  });
});
