// The install flow as a person does it, in headless Chromium against the service in dev mode (Atlassian emulator
// with two sites, Sentry emulator): connect Jira, consent, pick a site, see it active; a tampered state and a removed
// binding cookie, each ending on the error page with the SDK's reject code; the Sentry login-CSRF attempt (an
// attacker's redirect opened by a victim) refused; and a Sentry install started on sentry.io confirmed on the
// service's confirmation page. Screenshots go to artifacts/e2e/ at the repo root.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bindingCookieName, providerCookieName } from "../src/install-cookies.js";
import { loadServiceConfig } from "../src/service-config.js";
import { DEV_ATLASSIAN_SITES } from "../src/start-dev-emulators.js";
import { startService, type RunningService } from "../src/start-service.js";
import { captureLogger } from "./capture-logger.js";
import { hasChromium, launchChromium } from "./launch-chromium.js";

const ARTIFACTS = resolve(import.meta.dirname, "../../../artifacts/e2e");
const skipReason = hasChromium ? "" : " (skipped: needs /usr/bin/chromium: apt-get install chromium fonts-liberation)";
const [acme, globex] = DEV_ATLASSIAN_SITES as [(typeof DEV_ATLASSIAN_SITES)[number], (typeof DEV_ATLASSIAN_SITES)[number]];

/** Changes one character in the middle of the signature, keeping the state canonical base64url (so not "malformed"). */
function tamper(state: string): string {
  const dot = state.indexOf(".");
  const at = dot + 10;
  return state.slice(0, at) + (state[at] === "A" ? "B" : "A") + state.slice(at + 1);
}

describe("install flow in headless Chromium (dev mode, Atlassian emulator with two sites, Sentry emulator)", () => {
  const config = loadServiceConfig({ DEV_EMULATORS: "1", PORT: "0" });
  const { lines, logger } = captureLogger();
  const pages: string[] = [];
  /** Values no page or log line may show: binding cookies and authorization codes met on the way. */
  const planted: string[] = [config.stateSecret.secret, config.credentialsKey.key];
  let service: RunningService;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function open(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${service.url}/connections`);
    return page;
  }

  async function snapshot(page: Page, name: string): Promise<void> {
    pages.push(await page.content());
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  }

  /** From the connections page to the emulator's consent page, both sites ticked. */
  async function startJiraInstall(page: Page): Promise<void> {
    await page.getByRole("button", { name: "Connect Jira", exact: true }).click();
    await page.waitForURL((url) => url.origin === service.emulators!.atlassian.url && url.pathname === "/authorize");
    const sites = page.locator('input[name="site"]');
    expect(await sites.count()).toBe(2);
    for (const site of await sites.all()) await site.check();
  }

  async function errorCode(page: Page): Promise<string | null> {
    await page.waitForURL((url) => url.pathname === "/callback/atlassian");
    return page.locator("#error-code").textContent();
  }

  beforeAll(async () => {
    if (!hasChromium) return;
    mkdirSync(ARTIFACTS, { recursive: true });
    service = await startService(config, { logger });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await service?.close();
  });

  it.skipIf(!hasChromium)(`connects Jira: consent on both sites, pick one on the service's picker, see it active${skipReason}`, async () => {
    const page = await open();
    await expect(page.locator("#no-connections").isVisible()).resolves.toBe(true);
    await snapshot(page, "01-connections-empty");

    await startJiraInstall(page);
    await snapshot(page, "02-atlassian-consent");
    await page.click("#approve");

    await page.waitForURL((url) => url.pathname === "/callback/atlassian");
    const choices = page.locator('#site-picker input[name="cloud_id"]');
    expect(await choices.evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value))).toEqual([acme.id, globex.id]);
    await snapshot(page, "03-site-picker");
    await page.check(`#site-picker input[value="${globex.id}"]`);
    await page.click("#choose-site");

    await page.waitForURL((url) => url.pathname === "/connections" && url.searchParams.has("connected"));
    const row = page.locator('tr[data-provider="jira"]');
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute("data-status")).toBe("active");
    expect(await row.locator(".status").textContent()).toBe("active");
    expect(await row.textContent()).toContain("globex (https://globex.atlassian.net)");
    await snapshot(page, "04-connections-jira-active");

    // What the service stored is what the page shows, and the install cookies are gone once it is saved.
    const [saved] = await service.sdk.listConnections({ account_id: "acct-demo", provider: "jira" });
    expect(saved).toMatchObject({ status: "active", metadata: { cloud_id: globex.id, site_name: "globex" } });
    expect((await page.context().cookies()).map((cookie) => cookie.name)).toEqual([]);
  }, 45_000);

  it.skipIf(!hasChromium)(`a tampered state in the callback URL ends on the error page with state_bad_signature${skipReason}`, async () => {
    const before = await service.sdk.listConnections({ account_id: "acct-demo" });
    const page = await open();
    await startJiraInstall(page);
    let original: URL | undefined;
    // The consent answer is a 302 to the callback: edit its state before the browser follows it.
    await page.route("**/authorize/decision", async (route) => {
      const answer = await route.fetch({ maxRedirects: 0 });
      original = new URL(answer.headers()["location"]!);
      const edited = new URL(original);
      edited.searchParams.set("state", tamper(original.searchParams.get("state")!));
      await route.fulfill({ status: 302, headers: { location: edited.toString() } });
    });
    await page.click("#approve");

    expect(await errorCode(page)).toBe("state_bad_signature");
    expect(page.url()).not.toContain(original!.searchParams.get("state")!);
    await snapshot(page, "05-error-state-bad-signature");
    planted.push(original!.searchParams.get("code")!);
    expect(await service.sdk.listConnections({ account_id: "acct-demo" })).toHaveLength(before.length);
  }, 30_000);

  it.skipIf(!hasChromium)(`a callback without the binding cookie ends on the error page with state_binding_mismatch${skipReason}`, async () => {
    const before = await service.sdk.listConnections({ account_id: "acct-demo" });
    const page = await open();
    await startJiraInstall(page);
    const context = page.context();
    const names = () => context.cookies(`${service.url}/callback/atlassian`).then((cookies) => cookies.map((cookie) => cookie.name).sort());
    expect(await names()).toEqual([bindingCookieName("atlassian"), providerCookieName("atlassian")]);
    planted.push(...(await context.cookies()).filter((cookie) => cookie.name === bindingCookieName("atlassian")).map((cookie) => cookie.value));
    await context.clearCookies({ name: bindingCookieName("atlassian") });
    expect(await names()).toEqual([providerCookieName("atlassian")]);
    await page.click("#approve");

    expect(await errorCode(page)).toBe("state_binding_mismatch");
    await snapshot(page, "06-error-state-binding-mismatch");
    expect(await service.sdk.listConnections({ account_id: "acct-demo" })).toHaveLength(before.length);
  }, 30_000);

  /** From the connections page to Sentry's external-install page with the organization picked. */
  async function startSentryInstall(page: Page, org: string, user: string): Promise<void> {
    await page.getByRole("button", { name: "Connect Sentry", exact: true }).click();
    await page.waitForURL((url) => url.origin === service.emulators!.sentry.url && url.pathname.endsWith("/external-install/"));
    expect(new URL(page.url()).searchParams.get("state")).toBeTruthy();
    await page.selectOption("#org", org);
    await page.fill("#user", user);
  }

  it.skipIf(!hasChromium)(`Sentry login CSRF: an attacker's redirect opened in a victim's browser is refused (state_binding_mismatch), nothing exchanged${skipReason}`, async () => {
    const sentry = service.emulators!.sentry;
    const exchangesBefore = sentry.stats.codeExchanges;
    // The attacker installs the app into their own organization and stops at Sentry's redirect.
    const attacker = await open();
    await startSentryInstall(attacker, "globex", "mallory");
    await snapshot(attacker, "07-sentry-attacker-consent");
    let trap: string | undefined;
    await attacker.route("**/external-install/decision/", async (route) => {
      const answer = await route.fetch({ maxRedirects: 0 });
      trap = answer.headers()["location"];
      await route.fulfill({ status: 200, contentType: "text/html", body: "<p id='stopped'>The attacker keeps the redirect.</p>" });
    });
    await attacker.click("#approve");
    await attacker.locator("#stopped").waitFor();
    expect(new URL(trap!).searchParams.get("state")).toBeTruthy();
    planted.push(new URL(trap!).searchParams.get("code")!);

    // The victim has an install of their own in flight (a live binding cookie), and is then sent to the trap.
    const before = await service.sdk.listConnections({ account_id: "acct-demo" });
    const victim = await open();
    await startSentryInstall(victim, "initech", "victim");
    planted.push(...(await victim.context().cookies()).filter((cookie) => cookie.name === bindingCookieName("sentry")).map((cookie) => cookie.value));
    await victim.goto(trap!);
    expect(await victim.locator("#error-code").textContent()).toBe("state_binding_mismatch");
    await snapshot(victim, "08-sentry-login-csrf-refused");
    expect(sentry.stats.codeExchanges).toBe(exchangesBefore);
    expect(await service.sdk.listConnections({ account_id: "acct-demo" })).toHaveLength(before.length);
  }, 45_000);

  it.skipIf(!hasChromium)(`a Sentry install started on sentry.io is shown for confirmation and connected only when confirmed${skipReason}`, async () => {
    const page = await open();
    // Sentry's integration directory installs the app and sends the browser to the Redirect URL, without state.
    const redirect = await service.emulators!.sentry.installFromDirectory({ org: "acme", user: "ada" });
    expect(new URL(redirect).searchParams.has("state")).toBe(false);
    planted.push(new URL(redirect).searchParams.get("code")!);
    await page.goto(redirect);
    expect(await page.locator("#pending-title").textContent()).toBe("Connect Sentry organization acme to your account?");
    expect(await page.locator("#pending-account").textContent()).toBe("acct-demo");
    expect(await service.sdk.listConnections({ account_id: "acct-demo", provider: "sentry" })).toEqual([]);
    await snapshot(page, "09-sentry-pending-install-confirm");
    planted.push(...(await page.context().cookies()).filter((cookie) => cookie.name === bindingCookieName("sentry")).map((cookie) => cookie.value));

    await page.click("#confirm-install");
    await page.waitForURL((url) => url.pathname === "/connections" && url.searchParams.has("connected"));
    const row = page.locator('tr[data-provider="sentry"]');
    expect(await row.getAttribute("data-status")).toBe("active");
    expect(await row.textContent()).toContain("acme");
    await snapshot(page, "10-connections-sentry-confirmed");
    const [saved] = await service.sdk.listConnections({ account_id: "acct-demo", provider: "sentry" });
    expect(saved).toMatchObject({ created_by: "user-demo", metadata: { org_slug: "acme" } });
  }, 45_000);

  it.skipIf(!hasChromium)(`no page the browser saw and no log line carries a secret${skipReason}`, async () => {
    expect(pages.length).toBeGreaterThanOrEqual(10);
    const secrets = [...planted, service.emulators!.providerOptions.atlassian.clientSecret, service.emulators!.providerOptions.sentry.clientSecret];
    for (const connection of await service.sdk.listConnections({ account_id: "acct-demo" })) secrets.push(String((await service.sdk.resolveConnection(connection.id)).access_token));
    expect(secrets.every((secret) => secret.length >= 16)).toBe(true);
    expect(secrets.length).toBeGreaterThanOrEqual(11);
    const seen = [...pages, ...lines].join("\n");
    for (const secret of secrets) expect(seen).not.toContain(secret);
    expect(lines.some((line) => line.includes('"error_code":"state_bad_signature"'))).toBe(true);
  }, 15_000);
});
