import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CALLBACK, slackTestClient } from "./slack-test-client.js";
import { startSlackEmulator, type SlackEmulator } from "./start-slack-emulator.js";

let emulator: SlackEmulator;
let client: ReturnType<typeof slackTestClient>;

beforeEach(async () => {
  emulator = await startSlackEmulator({ redirectUris: [CALLBACK] });
  client = slackTestClient(emulator);
});
afterEach(() => emulator.close());

describe("faults", () => {
  it("rate_limit answers 429 with Retry-After and Slack's ratelimited body, then recovers", async () => {
    const { refresh_token } = await client.install();
    emulator.fault("oauth.v2.access", { kind: "rate_limit", retryAfterSeconds: 30 });
    const limited = await client.refresh(refresh_token as string);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("30");
    expect(limited.body).toEqual({ ok: false, error: "ratelimited" });
    // The faulted call never reached the ledger: the refresh token is still current.
    expect((await client.refresh(refresh_token as string)).body.ok).toBe(true);
    expect(emulator.counters["oauth.v2.access"]).toBe(3);
    expect(emulator.stats.tokenCalls).toBe(2);
  });

  it("rate_limit keeps an explicit body", async () => {
    emulator.fault("auth.test", { kind: "rate_limit", retryAfterSeconds: 1, body: { custom: true } });
    expect((await client.api("auth.test", "x")).body).toEqual({ custom: true });
  });

  it("status answers a 5xx for the given number of calls", async () => {
    emulator.fault("auth.test", { kind: "status", status: 503 }, 2);
    expect((await client.api("auth.test", "x")).status).toBe(503);
    expect((await client.api("auth.test", "x")).status).toBe(503);
    expect((await client.api("auth.test", "x")).body).toEqual({ ok: false, error: "invalid_auth" });
    expect(emulator.stats.apiCalls).toBe(1);
  });

  it("malformed answers 200 with a body that is not JSON", async () => {
    emulator.fault("oauth.v2.access", { kind: "malformed" });
    const response = await fetch(emulator.endpoints.tokenUrl, { method: "POST" });
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow();
  });

  it("disconnect drops the connection", async () => {
    emulator.fault("chat.postMessage", { kind: "disconnect" });
    await expect(fetch(`${emulator.endpoints.apiBaseUrl}/chat.postMessage`, { method: "POST" })).rejects.toThrow();
    expect(emulator.log.at(-1)).toMatchObject({ route: "chat.postMessage", status: 0 });
  });

  it("delay answers after the delay", async () => {
    emulator.fault("auth.revoke", { kind: "delay", ms: 150 });
    const started = performance.now();
    const answer = await client.api("auth.revoke", undefined);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(answer.body).toEqual({ ok: false, error: "not_authed" });
  });

  it("a revoked install is a fault a test can inject between calls", async () => {
    const { refresh_token } = await client.install();
    emulator.revokeInstall("T0ACME0001");
    expect((await client.refresh(refresh_token as string)).body).toEqual({ ok: false, error: "invalid_refresh_token" });
  });
});

describe("counters and log", () => {
  it("counts per route and per kind, and logs no secrets", async () => {
    const body = await client.install({ scope: "chat:write" });
    await client.refresh(body.refresh_token as string);
    await client.api("auth.test", body.access_token as string);
    await client.api("chat.postMessage", body.access_token as string, { channel: "C0GENERAL1", text: "x" });
    await client.api("auth.revoke", body.access_token as string);
    expect(emulator.counters).toEqual({ authorize: 1, "authorize.decision": 1, "oauth.v2.access": 2, "auth.test": 1, "chat.postMessage": 1, "auth.revoke": 1 });
    expect(emulator.stats).toEqual({ tokenCalls: 2, codeExchanges: 1, refreshes: 1, refreshesByChain: { "bot:T0ACME0001": 1 }, reuseDetected: 0, revocations: 1, evictions: 0, apiCalls: 3 });
    const logged = JSON.stringify(emulator.log);
    for (const secret of [body.access_token, body.refresh_token, emulator.clientSecret] as string[]) expect(logged).not.toContain(secret);
    emulator.resetCounters();
    expect(emulator.counters).toEqual({});
  });

  it("exposes every endpoint the adapter needs and frees its port on close", async () => {
    expect(emulator.endpoints).toEqual({
      authorizeUrl: `${emulator.url}/oauth/v2/authorize`,
      tokenUrl: `${emulator.url}/api/oauth.v2.access`,
      revokeUrl: `${emulator.url}/api/auth.revoke`,
      apiBaseUrl: `${emulator.url}/api`,
    });
    const other = await startSlackEmulator({ redirectUris: [CALLBACK], clientId: "42.43", clientSecret: "s" });
    expect([other.clientId, other.clientSecret]).toEqual(["42.43", "s"]);
    await other.close();
    await expect(fetch(other.endpoints.tokenUrl, { method: "POST" })).rejects.toThrow();
  });

  it("refuses to start without a redirect URL", async () => {
    await expect(startSlackEmulator({ redirectUris: [] })).rejects.toThrow("redirect URL");
  });
});
