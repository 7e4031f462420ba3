// Talks real HTTP to the Sentry emulator with global fetch: consent, grant exchange, refresh that deletes the old
// token, verify install, the projects API with installation and org tokens, signed webhooks, faults and counters.
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { ManualClock } from "@sdk/oauth/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSentryEmulator, type SentryEmulator, type SentryEmulatorOptions } from "./start-sentry-emulator.js";

const REDIRECT = "https://app.example.com/sentry/callback?tenant=acme";
const EIGHT_HOURS = 8 * 60 * 60 * 1000;

let emulator: SentryEmulator;
let running = false;
let clock: ManualClock;

/** Starts the emulator every test uses; a test that needs other options calls it again (the old one closes first). */
async function start(overrides: Partial<SentryEmulatorOptions> = {}): Promise<SentryEmulator> {
  if (running) await emulator.close();
  clock = new ManualClock();
  emulator = await startSentryEmulator({
    redirectUrl: REDIRECT,
    clock,
    organizations: [
      { slug: "acme", name: "Acme Inc", projects: [{ slug: "backend", name: "Backend", platform: "node" }, { slug: "web" }] },
      { slug: "globex", name: "Globex" },
    ],
    ...overrides,
  });
  running = true;
  return emulator;
}

beforeEach(async () => {
  await start();
});

afterEach(async () => {
  await emulator.close();
  running = false;
});

async function install(decision: { user?: string; org?: string } = {}) {
  const target = new URL(await emulator.consent(emulator.endpoints.installUrl(emulator.slug), decision));
  return { target, code: target.searchParams.get("code")!, installationId: target.searchParams.get("installationId")!, orgSlug: target.searchParams.get("orgSlug")! };
}

async function authorize(installationId: string, fields: Record<string, unknown>, init: { headers?: Record<string, string> } = {}) {
  const response = await fetch(emulator.endpoints.authorizationsUrl(installationId), {
    method: "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: JSON.stringify({ client_id: emulator.clientId, client_secret: emulator.clientSecret, ...fields }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const exchange = (installationId: string, code: string) => authorize(installationId, { grant_type: "authorization_code", code });
const refresh = (installationId: string, refreshToken: unknown) => authorize(installationId, { grant_type: "refresh_token", refresh_token: refreshToken });

async function connect(decision: { user?: string; org?: string } = {}) {
  const installed = await install(decision);
  const tokens = await exchange(installed.installationId, installed.code);
  expect(tokens.status).toBe(201);
  return { ...installed, token: tokens.body.token as string, refreshToken: tokens.body.refreshToken as string };
}

async function projects(org: string, token?: string) {
  const response = await fetch(`${emulator.endpoints.apiBaseUrl}/organizations/${org}/projects/`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

async function verify(installationId: string, token: string | undefined, body: unknown = { status: "installed" }) {
  const response = await fetch(emulator.endpoints.installationUrl(installationId), {
    method: "PUT",
    headers: { "content-type": "application/json", ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("external install and consent", () => {
  it("renders a consent page with stable ids and an organization picker over the configured organizations", async () => {
    const page = await fetch(emulator.endpoints.installUrl("test-app"));
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    for (const fragment of ['id="approve"', 'id="deny"', 'name="user"', 'name="request"', '<select id="org" name="org">', 'value="acme">Acme Inc', 'value="globex">Globex']) {
      expect(html).toContain(fragment);
    }
  });

  it("approval creates a pending installation and redirects with code, installationId, orgSlug and the install URL's state", async () => {
    const target = new URL(await emulator.consent(`${emulator.endpoints.installUrl("test-app")}?state=signed.state-value`, { user: "ada", org: "globex" }));
    expect(`${target.origin}${target.pathname}`).toBe("https://app.example.com/sentry/callback");
    expect([...target.searchParams.keys()].sort()).toEqual(["code", "installationId", "orgSlug", "state", "tenant"]);
    expect(target.searchParams.get("state")).toBe("signed.state-value");
    expect(target.searchParams.get("tenant")).toBe("acme");
    expect(target.searchParams.get("orgSlug")).toBe("globex");
    expect(target.searchParams.get("installationId")).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.getInstallation(target.searchParams.get("installationId")!)).toEqual({
      uuid: target.searchParams.get("installationId"),
      orgSlug: "globex",
      user: "ada",
      status: "pending",
      deleted: false,
    });
  });

  it("redirects without state when the install URL had none", async () => {
    const { target } = await install();
    expect(target.searchParams.has("state")).toBe(false);
    expect(target.searchParams.get("code")).toMatch(/^[0-9a-f]{32}$/);
  });

  it("an organization that already has the app gets 'already installed' and no redirect; an uninstalled one installs again", async () => {
    const first = await install({ org: "acme" });
    await expect(emulator.consent(emulator.endpoints.installUrl("test-app"), { org: "acme" })).rejects.toThrow(/did not redirect \(HTTP 200\).*already installed for Acme Inc/s);
    await expect(emulator.installFromDirectory({ org: "acme" })).rejects.toThrow(/already installed for Acme Inc/);
    expect((await install({ org: "globex" })).orgSlug).toBe("globex");
    emulator.uninstall(first.installationId);
    expect((await install({ org: "acme" })).installationId).not.toBe(first.installationId);
  });

  it("installFromDirectory: an install started on sentry.io redirects with code, installationId and orgSlug, never state", async () => {
    const target = new URL(await emulator.installFromDirectory({ org: "globex", user: "grace" }));
    expect([...target.searchParams.keys()].sort()).toEqual(["code", "installationId", "orgSlug", "tenant"]);
    const installationId = target.searchParams.get("installationId")!;
    expect(emulator.getInstallation(installationId)).toMatchObject({ orgSlug: "globex", user: "grace", status: "pending" });
    expect((await exchange(installationId, target.searchParams.get("code")!)).status).toBe(201);
  });

  it("defaults to the first organization and user-1", async () => {
    const { installationId, orgSlug } = await install();
    expect(orgSlug).toBe("acme");
    expect(emulator.getInstallation(installationId)?.user).toBe("user-1");
  });

  it("denial lands on a cancelled page and never reaches the redirect URL", async () => {
    const target = await emulator.consent(emulator.endpoints.installUrl("test-app"), { approve: false });
    expect(target).toBe(`${emulator.endpoints.baseUrl}/sentry-apps/test-app/external-install/cancelled/`);
    const page = await fetch(target);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="cancelled"');
  });

  it("rejects an unknown app slug, an unknown organization and a reused install request", async () => {
    expect((await fetch(emulator.endpoints.installUrl("other-app"))).status).toBe(404);
    await expect(emulator.consent(emulator.endpoints.installUrl("test-app"), { org: "initech" })).rejects.toThrow(/HTTP 400/);

    const html = await (await fetch(emulator.endpoints.installUrl("test-app"))).text();
    const request = /name="request" value="([^"]+)"/.exec(html)![1]!;
    const submit = () =>
      fetch(`${emulator.endpoints.baseUrl}/sentry-apps/test-app/external-install/decision/`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ request, user: "ada", org: "acme", decision: "approve" }),
      });
    expect((await submit()).status).toBe(302);
    expect((await submit()).status).toBe(400);
  });
});

describe("grant code exchange", () => {
  it("answers 201 with Sentry's camelCase token body and an 8 hour expiresAt", async () => {
    const { installationId, code } = await install();
    clock.advance(5_000);
    const { status, body } = await exchange(installationId, code);
    expect(status).toBe(201);
    expect(Object.keys(body).sort()).toEqual(["application", "dateCreated", "expiresAt", "id", "refreshToken", "scopes", "state", "token"]);
    expect(body).toMatchObject({ scopes: ["org:read", "project:read"], state: null, application: null, dateCreated: new Date(clock.now()).toISOString(), expiresAt: new Date(clock.now() + EIGHT_HOURS).toISOString() });
    expect(body.token).toMatch(/^[0-9a-f]{64}$/);
    expect(body.refreshToken).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof body.id).toBe("string");
    expect((await projects("acme", body.token as string)).status).toBe(200);
  });

  it("accepts a code once", async () => {
    const { installationId, code } = await install();
    expect((await exchange(installationId, code)).status).toBe(201);
    expect(await exchange(installationId, code)).toEqual({ status: 401, body: { detail: "Could not find grant for given code" } });
    expect(emulator.stats).toMatchObject({ tokenCalls: 2, codeExchanges: 1 });
  });

  it("expires a code after 10 minutes on the clock", async () => {
    const early = await install();
    const late = await install({ org: "globex" });
    clock.advance(10 * 60 * 1000 - 1);
    expect((await exchange(early.installationId, early.code)).status).toBe(201);
    clock.advance(1);
    expect(await exchange(late.installationId, late.code)).toEqual({ status: 401, body: { detail: "Grant has already expired" } });
  });

  it("refuses a code presented for another installation", async () => {
    const first = await install();
    const second = await install({ org: "globex" });
    expect(await exchange(second.installationId, first.code)).toEqual({ status: 401, body: { detail: "Forbidden grant" } });
    expect((await exchange(first.installationId, first.code)).status).toBe(201);
  });

  it("authenticates the client from the JSON body only, without consuming the code on failure", async () => {
    const { installationId, code } = await install();
    const invalid = { status: 401, body: { detail: "Invalid Client ID / Secret pair" } };
    expect(await authorize(installationId, { grant_type: "authorization_code", code, client_secret: "wrong" })).toEqual(invalid);
    expect(await authorize(installationId, { grant_type: "authorization_code", code, client_id: "someone-else" })).toEqual(invalid);

    const basic = `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString("base64")}`;
    const basicOnly = await fetch(emulator.endpoints.authorizationsUrl(installationId), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: basic },
      body: JSON.stringify({ grant_type: "authorization_code", code }),
    });
    expect(basicOnly.status).toBe(401);
    const form = await fetch(emulator.endpoints.authorizationsUrl(installationId), {
      method: "POST",
      body: new URLSearchParams({ grant_type: "authorization_code", code, client_id: emulator.clientId, client_secret: emulator.clientSecret }),
    });
    expect(form.status).toBe(401);
    expect((await exchange(installationId, code)).status).toBe(201);
  });

  it("answers an invalid client with 403 when invalidClientStatus says so", async () => {
    await start({ invalidClientStatus: 403 });
    const { installationId, code } = await install();
    expect(await authorize(installationId, { grant_type: "authorization_code", code, client_secret: "wrong" })).toEqual({
      status: 403,
      body: { detail: "Invalid Client ID / Secret pair" },
    });
  });

  it("answers 403 {error} to an unknown grant_type and 404 to an unknown installation", async () => {
    const { installationId, code } = await install();
    // Sentry's authorizations endpoint answers this one with `error`, not `detail` (sentry_app_authorizations.py).
    expect(await authorize(installationId, { grant_type: "client_credentials", code })).toEqual({ status: 403, body: { error: "Invalid grant_type" } });
    expect((await exchange("00000000-0000-0000-0000-000000000000", code)).status).toBe(404);
  });
});

describe("refresh", () => {
  it("returns a new token and refreshToken and deletes the old pair at once", async () => {
    const first = await connect();
    const { status, body } = await refresh(first.installationId, first.refreshToken);
    expect(status).toBe(201);
    expect(body.token).not.toBe(first.token);
    expect(body.refreshToken).not.toBe(first.refreshToken);
    expect(body).not.toHaveProperty("expires_in");
    expect(body.expiresAt).toBe(new Date(clock.now() + EIGHT_HOURS).toISOString());

    expect(await projects("acme", first.token)).toEqual({ status: 401, body: { detail: "Invalid token" } });
    expect(await refresh(first.installationId, first.refreshToken)).toEqual({ status: 400, body: { detail: "Given refresh token does not exist" } });
    expect((await projects("acme", body.token as string)).status).toBe(200);
    expect((await refresh(first.installationId, body.refreshToken)).status).toBe(201);
    expect(emulator.stats).toMatchObject({ codeExchanges: 1, refreshes: 2, tokenCalls: 4 });
  });

  it("expires the access token after 8 hours and still refreshes it", async () => {
    const first = await connect();
    clock.advance(EIGHT_HOURS - 1);
    expect((await projects("acme", first.token)).status).toBe(200);
    clock.advance(1);
    expect(await projects("acme", first.token)).toEqual({ status: 401, body: { detail: "Token expired" } });
    const renewed = await refresh(first.installationId, first.refreshToken);
    expect(renewed.status).toBe(201);
    expect((await projects("acme", renewed.body.token as string)).status).toBe(200);
  });

  it("refuses a refresh token presented for another installation and leaves it alive", async () => {
    const first = await connect();
    const second = await connect({ org: "globex" });
    expect(await refresh(second.installationId, first.refreshToken)).toEqual({ status: 400, body: { detail: "Token does not belong to the application" } });
    expect((await refresh(first.installationId, first.refreshToken)).status).toBe(201);
  });

  it("keeps refresh tokens forever by default and expires them with refreshTokenTtlMs", async () => {
    const lasting = await connect();
    clock.advance(365 * 24 * 60 * 60 * 1000);
    expect((await refresh(lasting.installationId, lasting.refreshToken)).status).toBe(201);

    await start({ refreshTokenTtlMs: 30 * 24 * 60 * 60 * 1000 });
    const bounded = await connect();
    clock.advance(30 * 24 * 60 * 60 * 1000);
    expect(await refresh(bounded.installationId, bounded.refreshToken)).toEqual({ status: 400, body: { detail: "Given refresh token does not exist" } });
  });

  it("answers a missing refresh_token like an unknown one", async () => {
    const { installationId } = await connect();
    expect(await refresh(installationId, undefined)).toEqual({ status: 400, body: { detail: "Given refresh token does not exist" } });
  });
});

describe("verify install", () => {
  it("marks the installation installed with its own token", async () => {
    const { installationId, token } = await connect();
    const { status, body } = await verify(installationId, token);
    expect(status).toBe(200);
    expect(body).toEqual({ uuid: installationId, status: "installed", organization: { slug: "acme" }, app: { uuid: emulator.appUuid, slug: "test-app" } });
    expect(emulator.getInstallation(installationId)?.status).toBe("installed");
    expect(emulator.stats.verifications).toBe(1);
  });

  it("refuses a missing token, another installation's token, an org token, a bad status and an unknown installation", async () => {
    const first = await connect();
    const second = await connect({ org: "globex" });
    expect((await verify(first.installationId, undefined)).status).toBe(401);
    expect((await verify(first.installationId, "f".repeat(64))).body).toEqual({ detail: "Invalid token" });
    expect((await verify(first.installationId, second.token)).status).toBe(403);
    expect((await verify(first.installationId, emulator.createInternalIntegrationToken("acme"))).status).toBe(403);
    expect((await verify(first.installationId, first.token, { status: "pending" })).status).toBe(400);
    expect((await verify("00000000-0000-0000-0000-000000000000", first.token)).status).toBe(404);
    expect(emulator.getInstallation(first.installationId)?.status).toBe("pending");
    expect(emulator.stats.verifications).toBe(0);
  });
});

describe("organization endpoints clients call first", () => {
  const get = async (path: string, token?: string) => {
    const response = await fetch(`${emulator.endpoints.apiBaseUrl}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it("lists the token's organization and describes it; another organization is 403, an unknown one 404", async () => {
    const { token } = await connect();
    expect(await get("/organizations/", token)).toMatchObject({ status: 200, body: [{ slug: "acme", status: { id: "active" } }] });
    expect(await get("/organizations/acme/", token)).toMatchObject({ status: 200, body: { slug: "acme", id: expect.any(String) } });
    expect((await get("/organizations/globex/", token)).status).toBe(403);
    expect((await get("/organizations/initech/", token)).status).toBe(404);
    expect((await get("/organizations/")).status).toBe(401);
  });
});

describe("organization projects API", () => {
  it("lists the organization's projects for an installation token of that organization", async () => {
    const { token } = await connect();
    expect(await projects("acme", token)).toEqual({
      status: 200,
      body: [
        { id: "1", slug: "backend", name: "Backend", platform: "node", dateCreated: expect.any(String) },
        { id: "2", slug: "web", name: "web", platform: null, dateCreated: expect.any(String) },
      ],
    });
    expect(emulator.stats.apiCalls).toBe(1);
  });

  it("answers 401 without or with an unknown token, 403 for another organization, 404 for an unknown one", async () => {
    const { token } = await connect();
    expect(await projects("acme")).toEqual({ status: 401, body: { detail: "Authentication credentials were not provided." } });
    expect(await projects("acme", "nope")).toEqual({ status: 401, body: { detail: "Invalid token" } });
    expect((await projects("globex", token)).status).toBe(403);
    expect((await projects("initech", token)).status).toBe(404);
  });

  it("needs org:read, org:write or org:admin", async () => {
    await start({ scopes: ["project:read"] });
    const { token } = await connect();
    expect((await projects("acme", token)).status).toBe(403);
    expect((await projects("acme", emulator.createInternalIntegrationToken("acme", { scopes: ["org:admin"] }))).status).toBe(200);
  });

  it("accepts a never-expiring internal-integration token (unprefixed 64-hex) of that organization until it is revoked", async () => {
    const orgToken = emulator.createInternalIntegrationToken("globex");
    expect(orgToken).toMatch(/^[0-9a-f]{64}$/);
    clock.advance(10 * 365 * 24 * 60 * 60 * 1000);
    expect((await projects("globex", orgToken)).status).toBe(200);
    expect((await projects("acme", orgToken)).status).toBe(403);
    emulator.revokeOrgToken(orgToken);
    expect(await projects("globex", orgToken)).toEqual({ status: 401, body: { detail: "Invalid token" } });
    expect(() => emulator.createInternalIntegrationToken("initech")).toThrow(/not configured/);
  });
});

describe("organization releases API and org auth tokens", () => {
  async function releases(org: string, token: string, version?: string) {
    const response = await fetch(`${emulator.endpoints.apiBaseUrl}/organizations/${org}/releases/`, {
      method: version === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(version === undefined ? {} : { body: JSON.stringify({ version }) }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  it("an org auth token is sntrys_ and holds org:ci only: releases yes, projects and installations no", async () => {
    const token = emulator.createOrgAuthToken("acme");
    expect(token).toMatch(/^sntrys_[A-Za-z0-9+/]+_[\w-]{43}$/);
    expect(JSON.parse(Buffer.from(token.split("_")[1]!, "base64").toString("utf8"))).toMatchObject({ org: "acme" });
    expect(await releases("acme", token, "2.0.0")).toMatchObject({ status: 201, body: { version: "2.0.0" } });
    expect(await releases("acme", token)).toMatchObject({ status: 200, body: [{ version: "2.0.0" }] });
    expect((await releases("globex", token)).status).toBe(403);
    expect((await projects("acme", token)).status).toBe(403);
    clock.advance(10 * 365 * 24 * 60 * 60 * 1000);
    expect((await releases("acme", token)).status).toBe(200);
  });

  it("an installation token needs a release scope; a bad body is a field error", async () => {
    const { token } = await connect();
    expect((await releases("acme", token)).status).toBe(200);
    expect((await releases("acme", token, "1.0.0")).status).toBe(403);
    const writer = emulator.createInternalIntegrationToken("acme", { scopes: ["project:releases"] });
    expect(await releases("acme", writer, "")).toEqual({ status: 400, body: { version: ["This field is required."] } });
  });
});

describe("installation details", () => {
  it("GET answers the installation's organization to its own token with a read scope, and nobody else", async () => {
    const first = await connect();
    const second = await connect({ org: "globex" });
    const read = async (installationId: string, token?: string) => {
      const response = await fetch(emulator.endpoints.installationUrl(installationId), { headers: token ? { authorization: `Bearer ${token}` } : {} });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await read(first.installationId, first.token)).toEqual({
      status: 200,
      body: { uuid: first.installationId, status: "pending", organization: { slug: "acme" }, app: { uuid: emulator.appUuid, slug: "test-app" } },
    });
    expect((await read(first.installationId, second.token)).status).toBe(403);
    expect((await read(first.installationId)).status).toBe(401);
    expect((await read(first.installationId, emulator.createInternalIntegrationToken("acme"))).status).toBe(403);
    await start({ scopes: ["project:read"] });
    const narrow = await connect();
    expect((await read(narrow.installationId, narrow.token)).status).toBe(403);
  });
});

describe("uninstall", () => {
  it("deletes the installation with its grant and tokens", async () => {
    const used = await connect();
    const unused = await install({ org: "globex" });
    emulator.uninstall(used.installationId);
    emulator.uninstall(unused.installationId);
    expect(await projects("acme", used.token)).toEqual({ status: 401, body: { detail: "Invalid token" } });
    expect((await refresh(used.installationId, used.refreshToken)).status).toBe(404);
    expect((await exchange(unused.installationId, unused.code)).status).toBe(404);
    expect(emulator.getInstallation(used.installationId)?.deleted).toBe(true);
    expect(() => emulator.uninstall(used.installationId)).toThrow(/unknown installation/);
  });

  it("leaves no grant or refresh token behind that another installation could name", async () => {
    const gone = await connect();
    const unused = await install({ org: "globex" });
    emulator.uninstall(gone.installationId);
    emulator.uninstall(unused.installationId);
    const live = await connect();
    expect(await refresh(live.installationId, gone.refreshToken)).toEqual({ status: 400, body: { detail: "Given refresh token does not exist" } });
    expect(await exchange(live.installationId, unused.code)).toEqual({ status: 401, body: { detail: "Could not find grant for given code" } });
  });
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

async function receiver(answer: { status: number; delayMs?: number }) {
  const received: Received[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    response.writeHead(answer.status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/sentry`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("installation webhooks", () => {
  it("POSTs a created webhook signed with HMAC-SHA256 of the exact body under the client secret", async () => {
    const hook = await receiver({ status: 204 });
    try {
      const { installationId, code } = await install({ user: "ada" });
      clock.set(Date.UTC(2026, 5, 1, 12, 0, 0));
      expect(await emulator.sendInstallationWebhook(hook.url, { action: "created", installationId })).toBe(204);
      const [delivery] = hook.received;
      expect(delivery!.headers).toMatchObject({
        "content-type": "application/json",
        "sentry-hook-resource": "installation",
        "sentry-hook-timestamp": String(Date.UTC(2026, 5, 1, 12, 0, 0) / 1000),
        "request-id": expect.stringMatching(/^[0-9a-f-]{36}$/),
        "sentry-hook-signature": createHmac("sha256", emulator.clientSecret).update(delivery!.body).digest("hex"),
      });
      expect(JSON.parse(delivery!.body)).toEqual({
        action: "created",
        installation: { uuid: installationId },
        data: { installation: { uuid: installationId, status: "pending", organization: { slug: "acme" }, app: { uuid: emulator.appUuid, slug: "test-app" }, code } },
        actor: { id: 1, name: "ada", type: "user" },
      });
      expect(emulator.stats.webhooksSent).toBe(1);
    } finally {
      await hook.close();
    }
  });

  it("sends a deleted webhook after uninstall without a code, and signs with another key on request", async () => {
    const hook = await receiver({ status: 401 });
    try {
      const { installationId, token } = await connect();
      await verify(installationId, token);
      emulator.uninstall(installationId);
      expect(await emulator.sendInstallationWebhook(hook.url, { action: "deleted", installationId, signWith: "not-the-secret" })).toBe(401);
      const [delivery] = hook.received;
      const payload = JSON.parse(delivery!.body) as { action: string; data: { installation: Record<string, unknown> } };
      expect(payload.action).toBe("deleted");
      expect(payload.data.installation.status).toBe("installed");
      expect(payload.data.installation).not.toHaveProperty("code");
      expect(delivery!.headers["sentry-hook-signature"]).toBe(createHmac("sha256", "not-the-secret").update(delivery!.body).digest("hex"));
      expect(delivery!.headers["sentry-hook-signature"]).not.toBe(createHmac("sha256", emulator.clientSecret).update(delivery!.body).digest("hex"));
    } finally {
      await hook.close();
    }
  });

  it("fails a delivery the receiver does not answer within webhookTimeoutMs", async () => {
    await start({ webhookTimeoutMs: 50 });
    const hook = await receiver({ status: 200, delayMs: 300 });
    try {
      const { installationId } = await install();
      await expect(emulator.sendInstallationWebhook(hook.url, { action: "created", installationId })).rejects.toThrow(/timed out after 50 ms/);
    } finally {
      await hook.close();
    }
  });

  it("refuses an unknown installation", async () => {
    await expect(emulator.sendInstallationWebhook("http://127.0.0.1:9/", { action: "created", installationId: "nope" })).rejects.toThrow(/unknown installation/);
  });
});

describe("faults and counters", () => {
  it("answers a status fault, then the real answer; a faulted call does not consume the code", async () => {
    const { installationId, code } = await install();
    emulator.fault("authorizations", { kind: "status", status: 503 });
    expect((await exchange(installationId, code)).status).toBe(503);
    expect((await exchange(installationId, code)).status).toBe(201);
    expect(emulator.counters.authorizations).toBe(2);
    expect(emulator.stats.tokenCalls).toBe(1);
  });

  it("answers 429 with Retry-After", async () => {
    const { installationId, code } = await install();
    emulator.fault("authorizations", { kind: "rate_limit", retryAfterSeconds: 7 }, 2);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await fetch(emulator.endpoints.authorizationsUrl(installationId), { method: "POST" });
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("7");
    }
    expect((await exchange(installationId, code)).status).toBe(201);
  });

  it("delays an answer", async () => {
    const { token } = await connect();
    emulator.fault("projects", { kind: "delay", ms: 120 });
    const started = performance.now();
    expect((await projects("acme", token)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });

  it("sends a malformed body", async () => {
    const { installationId, refreshToken } = await connect();
    emulator.fault("authorizations", { kind: "malformed" });
    const response = await fetch(emulator.endpoints.authorizationsUrl(installationId), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: emulator.clientId, client_secret: emulator.clientSecret }),
    });
    await expect(response.json()).rejects.toThrow();
    expect((await refresh(installationId, refreshToken)).status).toBe(201);
  });

  it("drops the connection", async () => {
    const { installationId, token } = await connect();
    emulator.fault("installation", { kind: "disconnect" });
    await expect(verify(installationId, token)).rejects.toThrow();
    expect((await verify(installationId, token)).status).toBe(200);
  });

  it("counts per route, logs without secrets and resets stats with the counters", async () => {
    const { installationId, token, refreshToken } = await connect();
    await projects("acme", token);
    expect(emulator.counters).toMatchObject({ install: 1, install_decision: 1, authorizations: 1, projects: 1 });
    const log = JSON.stringify(emulator.log);
    for (const secret of [token, refreshToken, emulator.clientSecret]) expect(log).not.toContain(secret);
    expect(log).toContain(installationId);
    emulator.resetCounters();
    expect(emulator.counters).toEqual({});
    expect(emulator.stats).toEqual({ tokenCalls: 0, codeExchanges: 0, refreshes: 0, verifications: 0, apiCalls: 0, webhooksSent: 0 });
  });

  it("frees its port on close", async () => {
    const url = emulator.endpoints.baseUrl;
    await emulator.close();
    await expect(fetch(`${url}/api/0/organizations/acme/projects/`)).rejects.toThrow();
  });
});
