import { recordErrors } from "@sdk/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../test/harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("no token, code or secret in any error, event or log line of the OAuth engine", () => {
  it("over install, refresh, every fault and rejection", async () => {
    const h = (harness = await startHarness({ provider: { retry: { attempts: 2, baseDelayMs: 1 }, timeoutMs: 200 } }));
    const seen: string[] = [];
    for (const name of ["token.refreshed", "token.refresh_failed", "connection.needs_reauth", "connection.recovered", "connection.deleted", "state.rejected"] as const) {
      h.sdk.events.on(name, (payload) => seen.push(JSON.stringify(payload)));
    }
    const secrets = new Set<string>([h.server.clientSecret]);
    const { texts: errors, capture } = recordErrors();

    const install = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
    secrets.add(install.browser_binding);
    const back = new URL(await h.server.consent(install.url));
    const code = back.searchParams.get("code")!;
    secrets.add(code);
    const state = back.searchParams.get("state")!;
    await capture(() => h.sdk.handleInstallCallback({ provider: "acme", code, state: `${state}x`, browser_binding: install.browser_binding }));
    await capture(() => h.sdk.handleInstallCallback({ provider: "acme", code, state, browser_binding: "not-the-binding-0000" }));
    const callback = await h.sdk.handleInstallCallback({ provider: "acme", code, state, browser_binding: install.browser_binding });
    secrets.add(callback.integration.credentials.refresh_token as string);
    secrets.add(callback.integration.credentials.access_token as string);
    await capture(() => h.sdk.handleInstallCallback({ provider: "acme", code, state, browser_binding: install.browser_binding }));
    const saved = await h.sdk.createConnection(callback.integration);

    for (const fault of [
      { kind: "status", status: 500 },
      { kind: "rate_limit", retryAfterSeconds: 60 },
      { kind: "delay", ms: 400 },
      { kind: "malformed" },
      { kind: "status", status: 400, body: { error: "invalid_request", error_description: `bad token ${[...secrets][1]}` } },
    ] as const) {
      h.clock.advance(3600 * 1000);
      h.server.fault("token", fault, 2);
      await capture(() => h.sdk.resolveConnection(saved.id));
      h.server.clearFaults();
      const runtime = (await capture(() => h.sdk.resolveConnection(saved.id))) as { access_token?: string } | undefined;
      if (runtime?.access_token) secrets.add(runtime.access_token);
    }
    h.server.revokeUser("user-1");
    h.clock.advance(3600 * 1000);
    await capture(() => h.sdk.resolveConnection(saved.id));
    const stored = await h.store.get(saved.id);
    expect(stored?.status).toBe("needs_reauth");

    const text = [...errors, ...seen, ...h.lines.map((line) => JSON.stringify(line))].join("\n");
    expect(errors.length + seen.length).toBeGreaterThan(8);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(text).not.toContain(secret);
    }
  });
});
