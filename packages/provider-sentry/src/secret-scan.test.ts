// No token, code, secret or binding in any error (with its cause chain), event payload or log line on the Sentry
// paths: install and its rejections, verify install, refresh faults and Sentry error bodies that echo secrets,
// org-token validation, and webhooks.
import { createHmac, randomUUID } from "node:crypto";
import type { SdkEventName } from "@sdk/core";
import { recordErrors } from "@sdk/core/testing";
import { describe, expect, it } from "vitest";
import { EIGHT_HOURS, useHarness } from "../test/harness.js";
import type { SentryRuntime } from "./sentry.js";

const start = useHarness();

// The deadline of every Sentry call here. Not shorter: on a loaded CI machine a 200 ms deadline expired on the code
// exchange itself (retried, the code then spent), and the install fault meant for that call hit the next install.
const TIMEOUT_MS = 1500;

const EVENTS: SdkEventName[] = ["token.refreshed", "token.refresh_failed", "connection.needs_reauth", "connection.recovered", "connection.revoked", "connection.deleted", "state.rejected"];

describe("no secret leaves the Sentry provider in an error, event or log line", () => {
  it("over install, verify install, refresh faults, org tokens and webhooks", async () => {
    const h = await start({ provider: { verifyInstall: true, timeoutMs: TIMEOUT_MS, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 50 } } });
    const seen: string[] = [];
    for (const name of EVENTS) h.sdk.events.on(name, (payload) => seen.push(JSON.stringify(payload)));
    const secrets = new Set<string>([h.emulator.clientSecret]);
    const { texts: errors, capture } = recordErrors();

    // Install with every kind of rejection on the way.
    const started = await h.sdk.buildInstallUrl({ provider: "sentry", user_id: "user-1", account_id: "acct-1" });
    secrets.add(started.browser_binding);
    const back = new URL(await h.emulator.consent(started.url));
    const code = back.searchParams.get("code")!;
    secrets.add(code);
    secrets.add(started.state);
    const fields = { provider: "sentry", code, installationId: back.searchParams.get("installationId")!, orgSlug: "acme", state: back.searchParams.get("state")!, browser_binding: started.browser_binding };
    await capture(() => h.sdk.handleInstallCallback({ ...fields, browser_binding: `${started.browser_binding}x` }));
    await capture(() => h.sdk.handleInstallCallback({ ...fields, installationId: code }));
    await capture(() => h.sdk.handleInstallCallback({ ...fields, orgSlug: `${code}!` }));
    h.emulator.fault("installation", { kind: "status", status: 400, body: { detail: `bad token ${code}` } }, 1);
    await capture(() => h.sdk.handleInstallCallback(fields));
    // Had that call stopped before the PUT, its fault must not hit the next install.
    h.emulator.clearFaults();
    const retry = await h.sdk.buildInstallUrl({ provider: "sentry", user_id: "user-1", account_id: "acct-1" });
    secrets.add(retry.browser_binding);
    secrets.add(retry.state);
    // The first install left acme with the app installed (Sentry then shows "already installed"): another org.
    const again = new URL(await h.emulator.consent(retry.url, { org: "globex" }));
    secrets.add(again.searchParams.get("code")!);
    const callback = await h.sdk.handleInstallCallback({
      ...fields,
      code: again.searchParams.get("code")!,
      installationId: again.searchParams.get("installationId")!,
      orgSlug: "globex",
      state: again.searchParams.get("state")!,
      browser_binding: retry.browser_binding,
    });
    secrets.add(callback.integration.credentials.access_token as string);
    secrets.add(callback.integration.credentials.refresh_token as string);
    await capture(() => h.sdk.handleInstallCallback({ ...fields, code: again.searchParams.get("code")!, state: again.searchParams.get("state")!, browser_binding: retry.browser_binding }));
    const saved = await h.sdk.createConnection(callback.integration);

    // Refresh faults, including Sentry error bodies that echo a secret (mapped and unmapped details).
    const echo = [...secrets].at(-1)!;
    for (const fault of [
      { kind: "status", status: 500, body: { detail: echo } },
      { kind: "rate_limit", retryAfterSeconds: 60, body: { detail: echo } },
      { kind: "malformed" },
      { kind: "status", status: 400, body: { detail: `Token does not belong to the application ${echo}`, refresh_token: [echo] } },
      { kind: "status", status: 403, body: { detail: "Invalid grant_type", grant_type: echo } },
      { kind: "status", status: 401, body: { detail: "Invalid Client ID / Secret pair", client_secret: h.emulator.clientSecret } },
      { kind: "delay", ms: TIMEOUT_MS + 200 },
    ] as const) {
      h.clock.advance(EIGHT_HOURS);
      h.emulator.fault("authorizations", fault, 2);
      await capture(() => h.sdk.resolveConnection(saved.id));
      h.emulator.clearFaults();
      if (fault.kind === "delay") break;
      h.clock.advance(5000);
      const runtime = await capture(() => h.sdk.resolveConnection<SentryRuntime>(saved.id));
      if (runtime) secrets.add(runtime.token);
    }
    expect(h.emulator.stats.refreshes).toBe(6);
    // The delayed answer rotated the refresh token away from the SDK; Sentry's refusal echoes it -> needs_reauth.
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 250));
    h.clock.advance(EIGHT_HOURS);
    h.emulator.fault("authorizations", { kind: "status", status: 401, body: { detail: "Given refresh token does not exist", refresh_token: echo } }, 1);
    await capture(() => h.sdk.resolveConnection(saved.id));
    expect((await h.sdk.getConnection(saved.id)).status).toBe("needs_reauth");

    // Org tokens: bad ones are refused without echo.
    const orgToken = h.emulator.createInternalIntegrationToken("acme");
    secrets.add(orgToken);
    await capture(() => h.sdk.createConnection({ provider: "sentry-org-token", account_id: "acct-1", created_by: "user-1", credentials: { token: `${orgToken} ` }, metadata: { org_slug: "acme" } }));
    await capture(() => h.sdk.createConnection({ provider: "sentry-org-token", account_id: "acct-1", created_by: "user-1", credentials: { token: `sntryu_${orgToken}` }, metadata: { org_slug: "acme" } }));
    await capture(() => h.sdk.createConnection({ provider: "sentry-org-token", account_id: "acct-1", created_by: "user-1", credentials: { token: orgToken }, metadata: { org_slug: orgToken } }));
    await capture(() => h.sdk.createConnection({ provider: "sentry-org-token", account_id: "acct-1", created_by: "user-1", credentials: { token: orgToken, extra: orgToken }, metadata: { org_slug: "acme" } }));

    // Webhooks: a forged one, a malformed signed one, and the real uninstall.
    const body = JSON.stringify({ action: "deleted", data: { installation: { uuid: orgToken } } });
    const signature = createHmac("sha256", h.emulator.clientSecret).update(body).digest("hex");
    const delivery = () => ({ "sentry-hook-timestamp": String(Math.floor(h.clock.now() / 1000)), "request-id": randomUUID() });
    await capture(() => h.sdk.handleWebhook({ provider: "sentry", headers: { "sentry-hook-resource": "installation", "sentry-hook-signature": signature.replace(/^./, "0"), ...delivery() }, body }));
    await capture(() => h.sdk.handleWebhook({ provider: "sentry", headers: { "sentry-hook-resource": "installation", "sentry-hook-signature": signature, ...delivery() }, body }));
    await capture(() => h.sdk.handleWebhook({ provider: "sentry", headers: { "sentry-hook-resource": "installation", "sentry-hook-signature": signature, "sentry-hook-timestamp": "1", "request-id": "r-1" }, body }));
    const uninstall = JSON.stringify({ action: "deleted", data: { installation: { uuid: again.searchParams.get("installationId") } } });
    await h.sdk.handleWebhook({ provider: "sentry", headers: { "sentry-hook-resource": "installation", "sentry-hook-signature": createHmac("sha256", h.emulator.clientSecret).update(uninstall).digest("hex"), ...delivery() }, body: uninstall });
    await capture(() => h.sdk.resolveConnection(saved.id));

    const text = [...errors, ...seen, ...h.lines.map((line) => JSON.stringify(line))].join("\n");
    expect(errors.length).toBeGreaterThan(14);
    expect(seen.filter((line) => line.startsWith("{")).length).toBeGreaterThan(5);
    expect(secrets.size).toBeGreaterThan(8);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(text).not.toContain(secret);
    }
  });
});
