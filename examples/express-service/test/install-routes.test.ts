// The service's routes over plain HTTP, in dev mode: the Slack and Sentry installs, Atlassian with and without the
// site picker, every refusal the error page shows, disconnecting (form and DELETE), the same-origin guard, and a scan
// of every answer and log line for secrets. The browser-driven Atlassian flow is install-flow.e2e.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bindingCookieName } from "../src/install-cookies.js";
import { loadServiceConfig } from "../src/service-config.js";
import { DEV_ATLASSIAN_SITES } from "../src/start-dev-emulators.js";
import { startService, type RunningService } from "../src/start-service.js";
import { captureLogger } from "./capture-logger.js";
import { CookieClient } from "./cookie-client.js";
import { watchIssuedTokens } from "./issued-tokens.js";

const [acme, globex] = DEV_ATLASSIAN_SITES as [(typeof DEV_ATLASSIAN_SITES)[number], (typeof DEV_ATLASSIAN_SITES)[number]];

// The same routes on the embedded stores, and on RedisCache when REDIS_URL is set (pnpm test starts a Redis).
const variants = [
  { stores: "MemoryCache + MemoryStore", env: {}, skip: false },
  { stores: "RedisCache + MemoryStore", env: { REDIS_URL: process.env.REDIS_URL ?? "" }, skip: !process.env.REDIS_URL },
];

describe.each(variants)("express-service over HTTP on $stores (dev mode: Atlassian, Slack and Sentry emulators)", ({ stores, env, skip }) => {
  const config = loadServiceConfig({ DEV_EMULATORS: "1", PORT: "0", ...env });
  const reason = skip ? " (skipped: needs REDIS_URL)" : "";
  const { lines, logger } = captureLogger();
  const clients: CookieClient[] = [];
  /** Binding cookies and authorization codes met on the way; no answer or log line may show them. */
  const planted: string[] = [config.stateSecret.secret, config.credentialsKey.key];
  let service: RunningService;
  /** Every token the providers issued to the SDK (refresh tokens included), watched at the fetch seam. */
  let issued: ReturnType<typeof watchIssuedTokens> | undefined;

  function browser(): CookieClient {
    const client = new CookieClient(service.url);
    clients.push(client);
    return client;
  }

  /** POST /connect/:provider (the page's form): the 303 to the provider, and the binding cookie it set. */
  async function connect(client: CookieClient, provider: string, slug: "atlassian" | "slack" | "sentry"): Promise<string> {
    const response = await client.post(`${service.url}/connect/${provider}`, {});
    expect(response.status).toBe(303);
    const binding = client.cookie(bindingCookieName(slug));
    expect(binding).toBeDefined();
    planted.push(binding!);
    return response.headers.get("location")!;
  }

  /** Follows the provider's redirect back to the service; returns the answer. */
  async function callback(client: CookieClient, redirect: string): Promise<Response> {
    const url = new URL(redirect);
    expect(url.origin).toBe(service.url);
    const code = url.searchParams.get("code");
    if (code) planted.push(code);
    return client.request(redirect);
  }

  function connectedId(response: Response): string {
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location")!, service.url);
    expect(location.pathname).toBe("/connections");
    return location.searchParams.get("connected")!;
  }

  const errorCodeOf = async (response: Response) => /id="error-code">([^<]*)</.exec(await response.text())?.[1];

  beforeAll(async () => {
    if (skip) return;
    issued = watchIssuedTokens();
    service = await startService(config, {
      logger,
      // The identity seam: this test answers another account when asked to, to check ownership on delete.
      identify: (request) => ({ user_id: "user-demo", account_id: request.get("x-test-account") ?? "acct-demo" }),
    });
    expect(service.stores).toBe(stores);
  });

  afterAll(async () => {
    issued?.stop();
    await service?.close();
  });

  it.skipIf(skip)(`Slack: connect, consent, callback saves it active, the page lists it, and the form disconnects it (auth.revoke)${reason}`, async () => {
    const client = browser();
    const authorize = await connect(client, "slack", "slack");
    expect(authorize.startsWith(service.emulators!.slack.endpoints.authorizeUrl)).toBe(true);
    const id = connectedId(await callback(client, await service.emulators!.slack.consent(authorize)));
    expect(client.cookie(bindingCookieName("slack"))).toBeUndefined();

    const page = await (await client.request(`${service.url}/connections?connected=${id}`)).text();
    expect(page).toContain('<tr data-provider="slack" data-status="active">');
    expect(page).toContain('id="connected"');

    const revocations = service.emulators!.slack.stats.revocations;
    const removed = await client.post(`${service.url}/connections/${id}/delete`, {});
    expect(removed.status).toBe(303);
    expect(removed.headers.get("location")).toBe("/connections?deleted=1");
    expect(await service.sdk.listConnections({ account_id: "acct-demo", provider: "slack" })).toEqual([]);
    expect(service.emulators!.slack.stats.revocations).toBeGreaterThan(revocations);
  });

  it.skipIf(skip)(`Sentry: the redirect carries installationId, orgSlug and the install URL's state, checked with the binding cookie${reason}`, async () => {
    const client = browser();
    const install = await connect(client, "sentry", "sentry");
    const redirect = new URL(await service.emulators!.sentry.consent(install));
    expect([redirect.searchParams.get("state"), redirect.searchParams.has("installationId"), redirect.searchParams.has("orgSlug")]).toEqual([new URL(install).searchParams.get("state"), true, true]);
    const id = connectedId(await callback(client, redirect.toString()));
    expect(await service.sdk.getConnection(id)).toMatchObject({ provider: "sentry", status: "active", metadata: { org_slug: redirect.searchParams.get("orgSlug") } });
  });

  it.skipIf(skip)(`Atlassian: one site granted needs no picker; two sites get the picker, whose POST completes the install${reason}`, async () => {
    const client = browser();
    const single = await connect(client, "confluence", "atlassian");
    const first = connectedId(await callback(client, await service.emulators!.atlassian.consent(single, { sites: [acme.id] })));
    expect(await service.sdk.getConnection(first)).toMatchObject({ provider: "confluence", metadata: { cloud_id: acme.id } });

    const both = await connect(client, "confluence", "atlassian");
    const picker = await callback(client, await service.emulators!.atlassian.consent(both, { sites: [acme.id, globex.id] }));
    expect(picker.status).toBe(200);
    const html = await picker.text();
    expect(html).toContain("Choose a site for Confluence");
    const selection_id = /name="selection_id" value="([^"]+)"/.exec(html)![1]!;
    const second = connectedId(await client.post(`${service.url}/callback/atlassian/site-selection`, { selection_id, cloud_id: globex.id }));
    expect(await service.sdk.getConnection(second)).toMatchObject({ provider: "confluence", status: "active", metadata: { cloud_id: globex.id, site_name: "globex" } });
    expect(second).not.toBe(first);
  });

  it.skipIf(skip)(`the site picker refuses another browser (state_binding_mismatch) and a site that was not offered, and still completes after${reason}`, async () => {
    const client = browser();
    const install = await connect(client, "jira", "atlassian");
    const html = await (await callback(client, await service.emulators!.atlassian.consent(install))).text();
    const selection_id = /name="selection_id" value="([^"]+)"/.exec(html)![1]!;

    const stranger = browser();
    const elsewhere = await stranger.post(`${service.url}/callback/atlassian/site-selection`, { selection_id, cloud_id: acme.id });
    expect([elsewhere.status, await errorCodeOf(elsewhere)]).toEqual([400, "state_binding_mismatch"]);
    const unknown = await client.post(`${service.url}/callback/atlassian/site-selection`, { selection_id, cloud_id: "33333333-3333-4333-8333-333333333333" });
    expect([unknown.status, await errorCodeOf(unknown)]).toEqual([400, "site_not_in_selection"]);

    connectedId(await client.post(`${service.url}/callback/atlassian/site-selection`, { selection_id, cloud_id: acme.id }));
    const reused = await client.post(`${service.url}/callback/atlassian/site-selection`, { selection_id, cloud_id: acme.id });
    expect(await errorCodeOf(reused)).toBe("site_selection_expired");
  });

  it.skipIf(skip)(`the error page shows the SDK's code: denied consent, replayed state; and the service's own for what it refuses itself${reason}`, async () => {
    const client = browser();
    const denied = await callback(client, await service.emulators!.atlassian.consent(await connect(client, "jira", "atlassian"), { approve: false }));
    expect([denied.status, await errorCodeOf(denied)]).toEqual([400, "authorization_denied"]);

    const authorize = await connect(client, "slack", "slack");
    const binding = client.cookie(bindingCookieName("slack"))!;
    const redirect = await service.emulators!.slack.consent(authorize);
    connectedId(await callback(client, redirect));
    client.setCookie(bindingCookieName("slack"), binding);
    const replayed = await client.request(redirect);
    expect([replayed.status, await errorCodeOf(replayed)]).toEqual([400, "state_replayed"]);

    const unknown = await client.post(`${service.url}/connect/github`, {});
    expect([unknown.status, await errorCodeOf(unknown)]).toEqual([404, "unknown_provider"]);
    const notStarted = await browser().request(`${service.url}/callback/atlassian?code=abc&state=def`);
    expect([notStarted.status, await errorCodeOf(notStarted)]).toEqual([400, "install_not_started"]);
  });

  it.skipIf(skip)(`connect is a same-origin POST: a link (GET) is 405, a cross-site form POST is refused and sets no cookie${reason}`, async () => {
    const client = browser();
    const link = await client.request(`${service.url}/connect/sentry`);
    expect([link.status, await errorCodeOf(link)]).toEqual([405, "method_not_allowed"]);
    const crossSite = await client.request(`${service.url}/connect/sentry`, { method: "POST", headers: { "sec-fetch-site": "cross-site" } });
    expect([crossSite.status, await errorCodeOf(crossSite)]).toEqual([403, "cross_site_request"]);
    const foreign = await client.request(`${service.url}/connect/sentry`, { method: "POST", headers: { origin: "https://evil.example" } });
    expect([foreign.status, await errorCodeOf(foreign)]).toEqual([403, "cross_site_request"]);
    expect(client.cookie(bindingCookieName("sentry"))).toBeUndefined();
  });

  it.skipIf(skip)(`Sentry installs started on sentry.io: a confirmation page, confirmed by a same-origin POST from the same browser only${reason}`, async () => {
    const client = browser();
    const redirect = await service.emulators!.sentry.installFromDirectory({ org: "globex" });
    const page = await callback(client, redirect);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Connect Sentry organization globex to your account?");
    expect(html).toContain("acct-demo");
    const pending_install_id = /name="pending_install_id" value="([^"]+)"/.exec(html)![1]!;
    expect(client.cookie(bindingCookieName("sentry"))).toBeDefined();
    planted.push(client.cookie(bindingCookieName("sentry"))!);

    const stranger = browser();
    const elsewhere = await stranger.post(`${service.url}/callback/sentry/pending`, { pending_install_id });
    expect([elsewhere.status, await errorCodeOf(elsewhere)]).toEqual([400, "state_binding_mismatch"]);
    const crossSite = await client.request(`${service.url}/callback/sentry/pending`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site" },
      body: new URLSearchParams({ pending_install_id }),
    });
    expect([crossSite.status, await errorCodeOf(crossSite)]).toEqual([403, "cross_site_request"]);
    const replayed = await callback(client, redirect);
    expect([replayed.status, await errorCodeOf(replayed)]).toEqual([400, "pending_install_replayed"]);

    const id = connectedId(await client.post(`${service.url}/callback/sentry/pending`, { pending_install_id }));
    expect(await service.sdk.getConnection(id)).toMatchObject({ provider: "sentry", account_id: "acct-demo", status: "active", metadata: { org_slug: "globex" } });
    const again = await client.post(`${service.url}/callback/sentry/pending`, { pending_install_id });
    expect([again.status, await errorCodeOf(again)]).toEqual([400, "pending_install_already_confirmed"]);
    await service.sdk.deleteConnection(id);
  });

  it.skipIf(skip)(`disconnect: a cross-site form POST is refused, another account's connection is 404, DELETE answers JSON${reason}`, async () => {
    const [connection] = await service.sdk.listConnections({ account_id: "acct-demo", provider: "sentry" });
    const client = browser();
    const crossSite = await client.request(`${service.url}/connections/${connection!.id}/delete`, { method: "POST", headers: { "sec-fetch-site": "cross-site" } });
    expect([crossSite.status, await errorCodeOf(crossSite)]).toEqual([403, "cross_site_request"]);
    const foreignOrigin = await client.request(`${service.url}/connections/${connection!.id}`, { method: "DELETE", headers: { origin: "http://evil.example" } });
    expect(foreignOrigin.status).toBe(403);

    const otherAccount = await client.request(`${service.url}/connections/${connection!.id}`, { method: "DELETE", headers: { "x-test-account": "acct-other" } });
    expect([otherAccount.status, await otherAccount.json()]).toEqual([404, { error: "integration_not_found", message: "No such connection." }]);
    expect((await service.sdk.getConnection(connection!.id)).status).toBe("active");

    const deleted = await client.request(`${service.url}/connections/${connection!.id}`, { method: "DELETE" });
    expect([deleted.status, await deleted.json()]).toMatchObject([200, { deleted: true }]);
    const again = await client.request(`${service.url}/connections/${connection!.id}`, { method: "DELETE" });
    expect([again.status, ((await again.json()) as { error: string }).error]).toEqual([404, "integration_not_found"]);
  });

  it.skipIf(skip)(`install cookies: core's browserBindingCookie recipe (httpOnly, SameSite=Lax, Path=/, the state's lifetime), the provider cookie with the same attributes; on https __Host- and Secure${reason}`, async () => {
    const sameOrigin = { method: "POST", redirect: "manual", headers: { "sec-fetch-site": "same-origin" } } as const;
    const response = await fetch(`${service.url}/connect/jira`, sameOrigin);
    const cookies = response.headers.getSetCookie();
    expect(cookies.map((cookie) => cookie.split("=")[0])).toEqual(["sdk_binding_atlassian", "install_provider_atlassian"]);
    expect(cookies[0]).toMatch(/^sdk_binding_atlassian=[A-Za-z0-9_-]{20,}; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookies[1]).toMatch(/^install_provider_atlassian=jira; Max-Age=600; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    const https = await startService({ ...config, publicUrl: "https://integrations.example.com" }, { logger });
    try {
      const secure = (await fetch(`${https.localUrl}/connect/jira`, sameOrigin)).headers.getSetCookie();
      expect(secure.map((cookie) => cookie.split("=")[0])).toEqual(["__Host-sdk_binding_atlassian", "__Host-install_provider_atlassian"]);
      for (const cookie of secure) {
        expect(cookie).toMatch(/; Max-Age=600; Path=\/; (Expires=[^;]+; )?HttpOnly; (SameSite=Lax; Secure|Secure; SameSite=Lax)$/);
        expect(cookie).not.toMatch(/; Domain=/i);
      }
    } finally {
      await https.close();
    }
  });

  it.skipIf(skip)(`no answer and no log line carries a secret, a token, a code or a binding${reason}`, async () => {
    const tokens: string[] = [];
    for (const connection of await service.sdk.listConnections({ account_id: "acct-demo" })) {
      tokens.push(String((await service.sdk.resolveConnection(connection.id)).access_token));
    }
    const { atlassian, slack, sentry } = service.emulators!.providerOptions;
    const secrets = [...planted, ...tokens, ...issued!.tokens, atlassian.clientSecret, slack.clientSecret, sentry.clientSecret];
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    // The watch saw the refresh tokens too (which no route can show), and the scan covers the HTML pages that carry
    // install state: the Atlassian site picker and the pending-install confirmation.
    expect(tokens.every((token) => issued!.tokens.has(token))).toBe(true);
    expect(issued!.tokens.size).toBeGreaterThan(tokens.length);
    const bodies = clients.flatMap((client) => client.bodies);
    expect(bodies.some((body) => body.includes("Choose a site for Confluence"))).toBe(true);
    expect(bodies.some((body) => body.includes('name="pending_install_id"'))).toBe(true);
    expect(secrets.every((secret) => secret.length >= 16)).toBe(true);
    const seen = [...clients.flatMap((client) => client.bodies), ...lines].join("\n");
    expect(lines.length).toBeGreaterThan(20);
    for (const secret of secrets) expect(seen).not.toContain(secret);
  });
});
