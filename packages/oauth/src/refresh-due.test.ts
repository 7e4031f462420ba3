// sdk.refreshDue with the OAuth engine on the fake RFC 6749 server and a movable clock: what is due (expiring
// within the window, no longer cached, idle past the provider's limit), what is not, and what a dead grant becomes.
import { createSDK, type RefreshDueResult, type SDK } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { ENCRYPTION, STATE_SECRETS, startHarness, type Harness } from "../test/harness.js";
import { defineOAuthProvider } from "./define-oauth-provider.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const MINUTE = 60_000;
const DAY = 24 * 3600 * 1000;

/** Every page of one sweep, summed. */
async function sweep(sdk: SDK, input: { within: number; limit?: number; provider?: string }): Promise<RefreshDueResult> {
  const total: RefreshDueResult = { cursor: null, examined: 0, refreshed: 0, not_due: 0, skipped: 0, not_refreshable: 0, needs_reauth: 0, failed: 0, failures: {} };
  let cursor: string | null = null;
  do {
    const page: RefreshDueResult = await sdk.refreshDue({ ...input, ...(cursor ? { cursor } : {}) });
    for (const field of ["examined", "refreshed", "not_due", "skipped", "not_refreshable", "needs_reauth", "failed"] as const) total[field] += page[field];
    for (const [code, count] of Object.entries(page.failures)) total.failures[code] = (total.failures[code] ?? 0) + count;
    cursor = page.cursor;
  } while (cursor);
  return total;
}

describe("sdk.refreshDue", () => {
  it("refreshes the connections whose access token expires within the window, and only those", async () => {
    const h = (harness = await startHarness());
    const ids = [];
    for (let index = 0; index < 5; index++) ids.push((await h.install({ user: `user-${index}`, account_id: `acct-${index}` })).integrationId);
    // The fake server's tokens live 3600 s: at +50 min each expires within 15 min.
    h.clock.advance(50 * MINUTE);
    expect(await sweep(h.sdk, { within: 5 * MINUTE, limit: 2 })).toMatchObject({ examined: 5, refreshed: 0, not_due: 5 });
    expect(h.server.stats.refreshes).toBe(0);
    const events: string[] = [];
    h.sdk.events.on("token.refreshed", (event) => events.push(event.integration_id));
    expect(await sweep(h.sdk, { within: 15 * MINUTE, limit: 2 })).toMatchObject({ examined: 5, refreshed: 5, not_due: 0, failed: 0 });
    expect(h.server.stats.refreshes).toBe(5);
    expect(events.sort()).toEqual([...ids].sort());
    // The new tokens live an hour: a second sweep finds nothing due, and resolves are served from the cache.
    expect(await sweep(h.sdk, { within: 15 * MINUTE })).toMatchObject({ refreshed: 0, not_due: 5 });
    for (const id of ids) await h.sdk.resolveConnection(id);
    expect(h.server.stats.refreshes).toBe(5);
  });

  it("refreshes once per sweep window even when the window is longer than a token lives", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await h.install();
    const second = createSDK({ store: h.store, cache: h.cache, now: h.clock.now, state: { secrets: STATE_SECRETS }, encryption: ENCRYPTION, providers: [defineAgain(h)] });
    const [first, other] = await Promise.all([sweep(h.sdk, { within: 2 * 3600 * 1000 }), sweep(second, { within: 2 * 3600 * 1000 })]);
    expect(first.refreshed + other.refreshed).toBe(1);
    expect(first.skipped + other.skipped).toBe(1);
    expect(await sweep(h.sdk, { within: 2 * 3600 * 1000 })).toMatchObject({ refreshed: 0, skipped: 1 });
    expect(h.server.stats.refreshes).toBe(1);
    await h.sdk.resolveConnection(integrationId);
  });

  it("refreshes a connection whose token is no longer cached, and one idle past the provider's limit", async () => {
    const h = (harness = await startHarness({ provider: { refreshTokenIdleMs: 30 * DAY } }));
    const { integrationId } = await h.install();
    // Ten days on, the cached token is long gone (TTL): due.
    h.clock.advance(10 * DAY);
    expect(await sweep(h.sdk, { within: 0 })).toMatchObject({ refreshed: 1 });
    // Fresh token, recent use: not due.
    expect(await sweep(h.sdk, { within: 0 })).toMatchObject({ refreshed: 0, not_due: 1 });
    // 31 days on, a resolve refreshes (its token expired): the rotation writes the record, so the grant is in use.
    h.clock.advance(31 * DAY);
    const before = h.server.stats.refreshes;
    await h.sdk.resolveConnection(integrationId);
    h.clock.advance(MINUTE * 2);
    expect(await sweep(h.sdk, { within: 0 })).toMatchObject({ refreshed: 0, not_due: 1 });
    expect(h.server.stats.refreshes).toBe(before + 1);
    // Idle for 31 days while a fresh token sits in the cache: due for the grant's sake.
    h.clock.advance(31 * DAY);
    await h.cache.set(`integration:acme:${integrationId}:app_user:acct-1:access_token`, JSON.stringify({ access_token: "still-cached", token_type: "Bearer", expires_at: h.clock.now() + 3600_000, scopes: [] }), 3000_000);
    expect(await sweep(h.sdk, { within: 0 })).toMatchObject({ refreshed: 1 });
    expect(h.server.stats.refreshes).toBe(before + 2);
  });

  it("counts a revoked grant as needs_reauth, marks the connection, and leaves it out of the next sweep", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await h.install({ user: "leaver" });
    await h.install({ user: "stayer", account_id: "acct-2" });
    h.server.revokeUser("leaver");
    h.clock.advance(2 * 3600 * 1000);
    const reauth: string[] = [];
    h.sdk.events.on("connection.needs_reauth", (event) => reauth.push(event.integration_id));
    expect(await sweep(h.sdk, { within: MINUTE })).toMatchObject({ examined: 2, refreshed: 1, needs_reauth: 1, failed: 0 });
    expect(reauth).toEqual([integrationId]);
    expect((await h.sdk.getConnection(integrationId)).status).toBe("needs_reauth");
    expect(await sweep(h.sdk, { within: MINUTE })).toMatchObject({ examined: 1, needs_reauth: 0 });
  });

  it("counts a provider outage per connection without throwing, and says which code", async () => {
    const h = (harness = await startHarness({ provider: { retry: { attempts: 1 } } }));
    await h.install();
    h.clock.advance(2 * 3600 * 1000);
    h.server.fault("token", { kind: "status", status: 503 }, 1);
    expect(await sweep(h.sdk, { within: MINUTE })).toMatchObject({ refreshed: 0, failed: 1, failures: { provider_unavailable: 1 } });
  });

  it("validates its input: within is required and bounded, the cursor must be a refreshDue cursor", async () => {
    const h = (harness = await startHarness());
    const cases: Array<[unknown, string]> = [
      [{}, "refreshDue.within"],
      [{ within: -1 }, "refreshDue.within"],
      [{ within: 8 * DAY }, "refreshDue.within"],
      [{ within: 1, concurrency: 0 }, "refreshDue.concurrency"],
      [{ within: 1, status: "active" }, "refreshDue.status"],
    ];
    for (const [input, field] of cases) {
      await expect(h.sdk.refreshDue(input as never)).rejects.toMatchObject({ code: "validation_failed", details: { field } });
    }
    const scan = await h.sdk.scanConnections({ limit: 1 });
    await h.install();
    await h.install({ user: "u2", account_id: "acct-2" });
    const page = await h.sdk.scanConnections({ limit: 1 });
    await expect(h.sdk.refreshDue({ within: 1, cursor: page.cursor! })).rejects.toMatchObject({ details: { field: "refreshDue.cursor" } });
    expect(scan.cursor).toBeNull();
  });
});

function defineAgain(h: Harness) {
  return defineOAuthProvider(h.providerOptions);
}
