// Refresh on the emulator: access tokens cached per integration under the 1.x key, rotated refresh tokens written to
// every sibling, one refresh at a time per account (family lock, across SDK instances), reuse outside the window
// revoking the family -> needs_reauth everywhere, and 5xx / 429 leaving records untouched.
import { MemoryCache, createSDK, type SDK } from "@sdk/core";
import { accessTokenKey, refreshLockKey } from "@sdk/core/provider-kit";
import { describe, expect, it } from "vitest";
import { readCachedToken } from "@sdk/oauth/testing";
import { failure, observe } from "../test/observe.js";
import { sandboxes } from "../test/sandboxes.js";
import { atlassian, type AtlassianRuntime } from "./index.js";
import { SANDBOX_REDIRECT_URI, SANDBOX_STATE_SECRETS, type AtlassianSandbox } from "./testing.js";

const HOUR = 3600_000;
const MINUTE = 60_000;
const ACME = "11111111-1111-4111-8111-111111111111";
const KEY = { id: "k1", key: Buffer.alloc(32, 9).toString("base64") };

const sandbox = sandboxes({ encryption: [KEY], provider: { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 50 } } });

/** Jira, Confluence and JSM of acct-1 on the one default site. */
async function threeSiblings(s: AtlassianSandbox) {
  const jira = await s.connect({ product: "jira" });
  const wiki = await s.connect({ product: "confluence" });
  const jsm = await s.connect({ product: "jsm" });
  return { jira, wiki, jsm, ids: [jira.id, wiki.id, jsm.id] };
}

const tokensOf = (s: AtlassianSandbox, ids: string[]) => Promise.all(ids.map((id) => s.refreshTokenOf(id)));

describe("access tokens", () => {
  it("are cached per integration under the 1.x key for their lifetime minus the skew", async () => {
    const s = await sandbox();
    const { jira, wiki } = await threeSiblings(s);
    const cache = s.cache as MemoryCache;
    for (const saved of [jira, wiki]) {
      const key = accessTokenKey(saved.provider, saved.id, "acct-1");
      expect(key).toBe(`integration:${saved.provider}:${saved.id}:app_user:acct-1:access_token`);
      const runtime = await s.sdk.resolveConnection<AtlassianRuntime>(saved.id);
      expect(await readCachedToken(cache, key, [KEY])).toMatchObject({ access_token: runtime.access_token, token_type: "Bearer" });
      expect(cache.ttlOf(key)).toBe(HOUR - MINUTE);
    }
    expect(s.emulator.stats.refreshes).toBe(0);
  });

  it("live 3600 s when Atlassian leaves expires_in out", async () => {
    const s = await sandbox({ emulator: { omitExpiresIn: true, accessTokenTtlSeconds: 7200 } });
    const jira = await s.connect({ product: "jira" });
    const runtime = await s.sdk.resolveConnection<AtlassianRuntime>(jira.id);
    expect(runtime.expires_at).toBe(new Date(s.clock.now() + HOUR).toISOString());
    s.clock.advance(HOUR - MINUTE);
    const refreshed = await s.sdk.resolveConnection<AtlassianRuntime>(jira.id);
    expect(s.emulator.stats.refreshes).toBe(1);
    expect(refreshed.expires_at).toBe(new Date(s.clock.now() + HOUR).toISOString());
  });
});

describe("rotation shared by siblings", () => {
  it("writes each rotated refresh token to every sibling, so the next sibling refresh presents the newest and the emulator never sees a reuse", async () => {
    const s = await sandbox();
    const { jira, wiki, jsm, ids } = await threeSiblings(s);
    const installed = await tokensOf(s, ids);
    expect(new Set(installed).size).toBe(1);

    s.clock.advance(HOUR);
    await s.sdk.resolveConnection(jira.id);
    const afterJira = await tokensOf(s, ids);
    expect(new Set(afterJira).size).toBe(1);
    expect(afterJira[0]).not.toBe(installed[0]);

    // Past the 10-minute reuse window: presenting anything but the newest token would now revoke the family.
    s.clock.advance(11 * MINUTE);
    await s.sdk.resolveConnection(wiki.id);
    s.clock.advance(11 * MINUTE);
    await s.sdk.resolveConnection(jsm.id);
    const afterAll = await tokensOf(s, ids);
    expect(new Set(afterAll).size).toBe(1);
    expect(s.emulator.stats).toMatchObject({ refreshes: 3, reuseDetected: 0, familyRevocations: 0 });
    expect(s.emulator.isFamilyRevoked(afterAll[0]!)).toBe(false);
    for (const id of ids) expect((await s.sdk.getConnection(id)).status).toBe("active");
    expect((await s.sdk.fetch(jsm.id, "/rest/servicedeskapi/servicedesk")).status).toBe(200);
  });

  it("never lets two siblings refresh at once, in one SDK or across SDK instances sharing store and cache", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const counting: typeof fetch = async (input, init) => {
      const isToken = String(input instanceof Request ? input.url : input).endsWith("/oauth/token");
      if (isToken) maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await fetch(input, init);
      } finally {
        if (isToken) inFlight -= 1;
      }
    };
    const s = await sandbox({ fetch: counting });
    const { ids } = await threeSiblings(s);
    const instances: SDK[] = [
      s.sdk,
      ...Array.from({ length: 2 }, () =>
        createSDK({
          store: s.store,
          cache: s.cache,
          now: s.clock.now,
          fetch: counting,
          state: { secrets: SANDBOX_STATE_SECRETS },
          encryption: { keys: [KEY] },
          providers: [atlassian({ clientId: s.emulator.clientId, clientSecret: s.emulator.clientSecret, redirectUri: SANDBOX_REDIRECT_URI, endpoints: s.emulator.endpoints })],
        }),
      ),
    ];
    // One lock per Atlassian user's grant, in the 1.x key shape.
    const lockKey = refreshLockKey("atlassian", "grant.user-1", "acct-1");
    expect(lockKey).toBe("integration:atlassian:grant.user-1:app_user:acct-1:refresh_lock");
    for (let expiry = 1; expiry <= 2; expiry++) {
      s.clock.advance(HOUR);
      maxInFlight = 0;
      s.emulator.fault("token", { kind: "delay", ms: 40 }, 3);
      const runtimes = await Promise.all(instances.flatMap((sdk) => ids.flatMap((id) => Array.from({ length: 4 }, () => sdk.resolveConnection<AtlassianRuntime>(id)))));
      expect(maxInFlight).toBe(1);
      expect(s.emulator.stats.refreshes).toBe(3 * expiry);
      // One access token per integration, shared by every caller.
      expect(new Set(runtimes.map((runtime) => runtime.access_token)).size).toBe(3);
      expect(new Set(await tokensOf(s, ids)).size).toBe(1);
      expect(await s.cache.get(lockKey)).toBeUndefined();
    }
    expect(s.emulator.stats).toMatchObject({ reuseDetected: 0, familyRevocations: 0 });
  });
});

describe("family revocation", () => {
  it("a refresh token reused after the window revokes the family: every sibling becomes needs_reauth, with events", async () => {
    const seen = observe();
    const s = await sandbox({ logger: seen.logger });
    seen.watch(s.sdk);
    const { jira, wiki, ids } = await threeSiblings(s);
    // A backup of Confluence's record from install time, restored later (or a 1.x process that never saw the rotation).
    const stale = (await s.store.get(wiki.id))!;

    s.clock.advance(HOUR);
    await s.sdk.resolveConnection(jira.id);
    s.clock.advance(11 * MINUTE);
    const current = (await s.store.get(wiki.id))!;
    await s.store.update(wiki.id, { credentials: stale.credentials, updated_at: new Date(s.clock.now()).toISOString() }, { expectedVersion: current.version });

    const error = await failure(s.sdk.resolveConnection(wiki.id));
    expect(error.code).toBe("reauth_required");
    expect(error.details).toMatchObject({ status: 403, provider_error: "invalid_grant" });
    expect(s.emulator.stats).toMatchObject({ reuseDetected: 1, familyRevocations: 1 });
    for (const id of ids) expect((await s.sdk.getConnection(id)).status).toBe("needs_reauth");
    expect(seen.named("connection.needs_reauth").map((event) => event.integration_id).sort()).toEqual([...ids].sort());
    expect(seen.named("token.refresh_failed")).toEqual([{ provider: "confluence", integration_id: wiki.id, account_id: "acct-1", code: "reauth_required", retryable: false }]);

    const calls = s.emulator.stats.tokenCalls;
    for (const id of ids) expect((await failure(s.sdk.resolveConnection(id))).code).toBe("reauth_required");
    expect((await failure(s.sdk.fetch(jira.id, "/rest/api/3/myself"))).code).toBe("reauth_required");
    expect(s.emulator.stats.tokenCalls).toBe(calls);
  });

  it("the user removing the app (403 invalid_grant on refresh) marks every sibling needs_reauth", async () => {
    const s = await sandbox();
    const { jsm, ids } = await threeSiblings(s);
    s.emulator.revokeUser("user-1");
    s.clock.advance(HOUR);
    expect((await failure(s.sdk.resolveConnection(jsm.id))).code).toBe("reauth_required");
    for (const id of ids) expect((await s.sdk.getConnection(id)).status).toBe("needs_reauth");
  });
});

describe("provider outages during refresh", () => {
  it("5xx after the retries: provider_unavailable, every record untouched, the next call refreshes", async () => {
    const seen = observe();
    const s = await sandbox();
    seen.watch(s.sdk);
    const { jira, ids } = await threeSiblings(s);
    const before = await Promise.all(ids.map((id) => s.store.get(id)));
    s.clock.advance(HOUR);
    s.emulator.fault("token", { kind: "status", status: 503 }, 3);
    const error = await failure(s.sdk.resolveConnection(jira.id));
    expect(error.code).toBe("provider_unavailable");
    expect(error.retryable).toBe(true);
    expect(await Promise.all(ids.map((id) => s.store.get(id)))).toEqual(before);
    expect(seen.named("token.refresh_failed")).toMatchObject([{ integration_id: jira.id, code: "provider_unavailable", retryable: true }]);
    expect(seen.named("connection.needs_reauth")).toEqual([]);

    s.clock.advance(3000);
    await s.sdk.resolveConnection(jira.id);
    expect(s.emulator.stats.refreshes).toBe(1);
    expect(new Set(await tokensOf(s, ids)).size).toBe(1);
  });

  it("429 with a long Retry-After: provider_rate_limited with retry_after_ms, every record untouched", async () => {
    const s = await sandbox();
    const { wiki, ids } = await threeSiblings(s);
    const before = await Promise.all(ids.map((id) => s.store.get(id)));
    s.clock.advance(HOUR);
    s.emulator.fault("token", { kind: "rate_limit", retryAfterSeconds: 120 }, 1);
    const error = await failure(s.sdk.resolveConnection(wiki.id));
    expect(error.code).toBe("provider_rate_limited");
    expect(error.details.retry_after_ms).toBe(120_000);
    expect(await Promise.all(ids.map((id) => s.store.get(id)))).toEqual(before);
    for (const id of ids) expect((await s.sdk.getConnection(id)).status).toBe("active");
  });

  it("a short 429 and a 502 are retried within the call", async () => {
    const s = await sandbox();
    const { jira } = await threeSiblings(s);
    s.clock.advance(HOUR);
    s.emulator.fault("token", { kind: "rate_limit", retryAfterSeconds: 0 }, 1);
    s.emulator.fault("token", { kind: "status", status: 502 }, 1);
    await expect(s.sdk.resolveConnection(jira.id)).resolves.toMatchObject({ integration_id: jira.id });
    expect(s.emulator.counters.token).toBe(3 + 3);
  });
});

describe("sdk.fetch", () => {
  it("returns a scope mismatch (gateway 401) without any refresh: 25 calls, 0 refreshes, the integration stays active", async () => {
    const s = await sandbox({ provider: { scopes: { jsm: ["read:servicedesk-request"] } } });
    const jsm = await s.connect({ product: "jsm" });
    for (let call = 0; call < 25; call++) {
      const response = await s.sdk.fetch(jsm.id, "/rest/api/3/myself");
      expect(response.status).toBe(401);
      expect(((await response.json()) as { message: string }).message).toMatch(/scope does not match/);
    }
    expect(s.emulator.stats.tokenCalls).toBe(1);
    expect(s.emulator.counters.jira_myself).toBe(25);
    expect((await s.sdk.getConnection(jsm.id)).status).toBe("active");
    expect((await s.sdk.fetch(jsm.id, "/rest/servicedeskapi/servicedesk")).status).toBe(200);
  });

  it("another 401 refreshes once; a 401 on the refreshed token comes back without another refresh: 25 calls, 1 refresh", async () => {
    const s = await sandbox();
    const jira = await s.connect({ product: "jira" });
    s.emulator.fault("jira_myself", { kind: "status", status: 401 }, 100);
    for (let call = 0; call < 25; call++) expect((await s.sdk.fetch(jira.id, "/rest/api/3/myself")).status).toBe(401);
    expect(s.emulator.stats.refreshes).toBe(1);
    expect(s.emulator.counters.jira_myself).toBe(26);
    expect((await s.sdk.getConnection(jira.id)).status).toBe("active");
  });

  it("10 concurrent calls that all get a 401 cost one refresh, across two SDK instances too", async () => {
    const s = await sandbox();
    const jira = await s.connect({ product: "jira" });
    const other = createSDK({
      store: s.store,
      cache: s.cache,
      now: s.clock.now,
      state: { secrets: SANDBOX_STATE_SECRETS },
      encryption: { keys: [KEY] },
      providers: [atlassian({ clientId: s.emulator.clientId, clientSecret: s.emulator.clientSecret, redirectUri: SANDBOX_REDIRECT_URI, endpoints: s.emulator.endpoints })],
    });
    s.emulator.fault("jira_myself", { kind: "status", status: 401 }, 1000);
    const answers = await Promise.all([s.sdk, other].flatMap((sdk) => Array.from({ length: 5 }, () => sdk.fetch(jira.id, "/rest/api/3/myself"))));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(401));
    for (let call = 0; call < 10; call++) expect((await other.fetch(jira.id, "/rest/api/3/myself")).status).toBe(401);
    expect(s.emulator.stats.refreshes).toBe(1);
    expect(s.emulator.stats.reuseDetected).toBe(0);
  });

  it("stays inside the connection's site: dot segments, encoded dot segments and absolute URLs to another site are refused unsent", async () => {
    const other = { id: "22222222-2222-4222-8222-222222222222", name: "beta", url: "https://beta.atlassian.net", products: ["jira" as const] };
    const acme = { id: ACME, name: "acme", url: "https://acme.atlassian.net", products: ["jira" as const, "jsm" as const, "confluence" as const] };
    const s = await sandbox({ emulator: { sites: [acme, other] } });
    const jira = await s.connect({ product: "jira", sites: [ACME, other.id], pick: ACME });
    const before = s.emulator.stats.apiCalls;
    for (const path of [`/../${other.id}/rest/api/3/myself`, `/%2e%2e/${other.id}/rest/api/3/myself`, `/rest/../../${other.id}/rest/api/3/myself`, `${s.emulator.endpoints.apiBaseUrl}/ex/jira/${other.id}/rest/api/3/myself`, `${s.emulator.endpoints.apiBaseUrl}/me`]) {
      const error = await failure(s.sdk.fetch(jira.id, path));
      expect([path, error.code, error.details.field]).toEqual([path, "validation_failed", "fetch.path"]);
    }
    expect(s.emulator.stats.apiCalls).toBe(before);
    expect((await s.sdk.fetch(jira.id, `${s.emulator.endpoints.apiBaseUrl}/ex/jira/${ACME}/rest/api/3/myself`)).status).toBe(200);
  });

  it("never sends the token to another origin", async () => {
    const s = await sandbox();
    const jira = await s.connect({ product: "jira" });
    const error = await failure(s.sdk.fetch(jira.id, "https://evil.example/rest/api/3/myself"));
    expect(error.code).toBe("validation_failed");
    expect(error.details.field).toBe("fetch.path");
  });
});
