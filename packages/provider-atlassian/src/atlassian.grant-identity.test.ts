// One grant per Atlassian user, on the emulator: each install records who consented (GET /me), siblings are the same
// SDK account *and* the same Atlassian user (scope union, rotation sync, refresh lock), a grant never replaces another
// user's record, an app without read:me is `misconfigured`, and 1.x records (no identity) are never overwritten by
// another grant until their own refresh proves who they are.
import { MemoryCache, SdkError, type CacheStore, type IntegrationSummary } from "@sdk/core";
import { refreshLockKey } from "@sdk/core/provider-kit";
import { describe, expect, it } from "vitest";
import { failure } from "../test/observe.js";
import { sandboxes } from "../test/sandboxes.js";
import { SANDBOX_REDIRECT_URI, type AtlassianSandbox, type AtlassianSandboxOptions } from "./testing.js";

const HOUR = 3600_000;
const ACME = "11111111-1111-4111-8111-111111111111";
const KEY = { id: "k1", key: Buffer.alloc(32, 5).toString("base64") };
const USERS = [{ accountId: "557058:alice-0000" }, { accountId: "5b10bob00000000000000000" }];
const [ALICE, BOB] = USERS.map((user) => user.accountId) as [string, string];

const start = sandboxes({ encryption: [KEY] });
const sandbox = (options: AtlassianSandboxOptions = {}) => start({ ...options, emulator: { users: USERS, ...options.emulator } });

const as = (atlassianUser: string) => ({ atlassianUser, user_id: `sdk-${atlassianUser.slice(0, 8)}` });

/** Who the API says the record acts as: Jira's /myself or Confluence's current user, through sdk.fetch. */
async function actsAs(s: AtlassianSandbox, saved: IntegrationSummary): Promise<string> {
  const path = saved.provider === "confluence" ? "/wiki/rest/api/user/current" : "/rest/api/3/myself";
  const response = await s.sdk.fetch(saved.id, path);
  expect(response.status).toBe(200);
  return ((await response.json()) as { accountId: string }).accountId;
}

/** A 1.x record: saved through createConnection with a grant that has no read:me and no identity in its metadata. */
async function legacyRecord(s: AtlassianSandbox, product: "jira" | "confluence", user: string, scopes: string): Promise<IntegrationSummary> {
  const authorize = new URL(s.emulator.endpoints.authorizeUrl);
  for (const [name, value] of Object.entries({ audience: "api.atlassian.com", client_id: s.emulator.clientId, scope: scopes, redirect_uri: SANDBOX_REDIRECT_URI, state: "legacy", response_type: "code", prompt: "consent" })) {
    authorize.searchParams.set(name, value);
  }
  const code = new URL(await s.emulator.consent(authorize.toString(), { user })).searchParams.get("code")!;
  const answer = await fetch(s.emulator.endpoints.tokenUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ grant_type: "authorization_code", client_id: s.emulator.clientId, client_secret: s.emulator.clientSecret, code, redirect_uri: SANDBOX_REDIRECT_URI }),
  });
  const tokens = (await answer.json()) as { refresh_token: string };
  return s.sdk.createConnection({
    provider: product,
    account_id: "acct-1",
    created_by: "legacy-user",
    credentials: { refresh_token: tokens.refresh_token },
    scopes: scopes.split(" "),
    metadata: { cloud_id: ACME, site_url: "https://acme.atlassian.net", site_name: "acme" },
  });
}

describe("two Atlassian users in one account", () => {
  const orders = [
    { products: ["jira", "confluence"], users: [ALICE, BOB] },
    { products: ["confluence", "jira"], users: [ALICE, BOB] },
    { products: ["jira", "confluence"], users: [BOB, ALICE] },
    { products: ["confluence", "jira"], users: [BOB, ALICE] },
  ] as const;
  for (const { products, users } of orders) {
    const name = (user: string) => (user === ALICE ? "Alice" : "Bob");
    it(`${products[0]} by ${name(users[0])}, then ${products[1]} by ${name(users[1])}: every record always acts as its own user`, async () => {
      const s = await sandbox();
      const first = await s.connect({ product: products[0], ...as(users[0]) });
      const second = await s.connect({ product: products[1], ...as(users[1]) });
      // The second user's next product joins that user's grant, never the first user's.
      const third = await s.connect({ product: "jsm", ...as(users[1]) });
      expect((await s.sdk.getConnection(first.id)).metadata.atlassian_account_id).toBe(users[0]);
      expect((await s.sdk.getConnection(second.id)).metadata.atlassian_account_id).toBe(users[1]);
      expect(await s.refreshTokenOf(first.id)).not.toBe(await s.refreshTokenOf(second.id));
      expect(await s.refreshTokenOf(third.id)).toBe(await s.refreshTokenOf(second.id));
      for (let expiry = 0; expiry < 3; expiry++) {
        expect(await actsAs(s, first)).toBe(users[0]);
        expect(await actsAs(s, second)).toBe(users[1]);
        expect(await actsAs(s, third)).toBe(users[1]);
        s.clock.advance(HOUR);
      }
      expect(await s.refreshTokenOf(first.id)).not.toBe(await s.refreshTokenOf(second.id));
      expect(await s.refreshTokenOf(third.id)).toBe(await s.refreshTokenOf(second.id));
      expect(s.emulator.stats).toMatchObject({ reuseDetected: 0, familyRevocations: 0, deadRefreshes: 0 });
    });
  }

  it("Bob's install never widens to Alice's scopes, and Alice's re-install asks for what her siblings hold", async () => {
    const s = await sandbox();
    await s.connect({ product: "confluence", ...as(ALICE) });
    const bobs = new URL((await s.sdk.buildInstallUrl({ provider: "jira", user_id: as(BOB).user_id, account_id: "acct-1" })).url).searchParams.get("scope")!;
    expect(bobs).not.toMatch(/confluence/);
    const alices = new URL((await s.sdk.buildInstallUrl({ provider: "jira", user_id: as(ALICE).user_id, account_id: "acct-1" })).url).searchParams.get("scope")!;
    expect(alices).toMatch(/read:confluence-content\.all/);
  });

  it("the same product and site by the other user is refused with integration_exists and nothing changes", async () => {
    const s = await sandbox();
    const alices = await s.connect({ product: "jira", ...as(ALICE) });
    const before = await s.store.get(alices.id);
    const error = await failure(s.connect({ product: "jira", ...as(BOB) }));
    expect(error.code).toBe("integration_exists");
    expect(error.details).toMatchObject({ integration_id: alices.id, field: "metadata.atlassian_account_id" });
    expect(await s.store.get(alices.id)).toEqual(before);
    expect(await actsAs(s, alices)).toBe(ALICE);
    // The same user re-installing updates in place.
    const again = await s.connect({ product: "jira", ...as(ALICE) });
    expect(again.id).toBe(alices.id);
  });

  it("each user's family refreshes under its own lock, in the 1.x key shape", async () => {
    const keys: string[] = [];
    class RecordingCache extends MemoryCache {
      override async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
        keys.push(key);
        return super.setIfAbsent(key, value, ttlMs);
      }
    }
    const cache: CacheStore = new RecordingCache();
    const s = await sandbox({ cache });
    const alices = await s.connect({ product: "jira", ...as(ALICE) });
    const bobs = await s.connect({ product: "confluence", ...as(BOB) });
    s.clock.advance(HOUR);
    await s.sdk.resolveConnection(alices.id);
    await s.sdk.resolveConnection(bobs.id);
    const locks = keys.filter((key) => key.endsWith(":refresh_lock"));
    expect(locks).toEqual([refreshLockKey("atlassian", `grant.${encodeURIComponent(ALICE)}`, "acct-1"), refreshLockKey("atlassian", `grant.${encodeURIComponent(BOB)}`, "acct-1")]);
    expect(locks[0]).toBe("integration:atlassian:grant.557058%3Aalice-0000:app_user:acct-1:refresh_lock");
  });
});

describe("an app without read:me", () => {
  it("is misconfigured at the callback, naming read:me, and nothing is saved", async () => {
    const s = await sandbox({ emulator: { appScopes: ["read:jira-user", "read:jira-work", "write:jira-work"] } });
    const error = await failure(s.connect({ product: "jira", ...as(ALICE) }));
    expect(error.code).toBe("misconfigured");
    expect(error.details).toMatchObject({ scope: "read:me" });
    expect(error.message).toMatch(/read:me/);
    expect(await s.sdk.listConnections({ account_id: "acct-1" })).toEqual([]);
  });

  it("is misconfigured when /me refuses the token", async () => {
    const s = await sandbox();
    s.emulator.fault("me", { kind: "status", status: 403 }, 1);
    const error = await failure(s.connect({ product: "jira", ...as(ALICE) }));
    expect(SdkError.is(error, "misconfigured")).toBe(true);
    expect(error.details).toMatchObject({ status: 403, scope: "read:me" });
  });
});

describe("1.x records (no Atlassian identity)", () => {
  it("are never given another grant's token; their own refresh + /me fills the identity, and then they join that user's family", async () => {
    const s = await sandbox();
    const legacy = await legacyRecord(s, "confluence", ALICE, "read:confluence-user read:confluence-space.summary offline_access read:me");
    const legacyToken = await s.refreshTokenOf(legacy.id);
    const bobs = await s.connect({ product: "jira", ...as(BOB) });
    const alices = await s.connect({ product: "jsm", ...as(ALICE) });
    // Neither Bob's nor Alice's new grant touched the record: its user was not proven.
    expect(await s.refreshTokenOf(legacy.id)).toBe(legacyToken);
    expect((await s.sdk.getConnection(legacy.id)).metadata.atlassian_account_id).toBeUndefined();
    expect(await actsAs(s, legacy)).toBe(ALICE);

    s.clock.advance(HOUR);
    expect(await actsAs(s, legacy)).toBe(ALICE);
    expect((await s.sdk.getConnection(legacy.id)).metadata.atlassian_account_id).toBe(ALICE);
    // The grant key is written with the identity: from now on the family is read by index.
    expect((await s.sdk.getConnection(legacy.id)).grant_key).toBe(`atlassian:${ALICE}`);
    // Now Alice's sibling: her next install unions its scopes and syncs her grant to it; Bob's never does.
    const install = new URL((await s.sdk.buildInstallUrl({ provider: "jsm", user_id: as(ALICE).user_id, account_id: "acct-1" })).url);
    expect(install.searchParams.get("scope")).toMatch(/read:confluence-space\.summary/);
    await s.connect({ product: "jsm", ...as(ALICE) });
    expect(await s.refreshTokenOf(legacy.id)).toBe(await s.refreshTokenOf(alices.id));
    expect(await s.refreshTokenOf(legacy.id)).not.toBe(await s.refreshTokenOf(bobs.id));
    expect(await actsAs(s, legacy)).toBe(ALICE);
  });

  it("without read:me in their grant they stay 1.x (1.x lock, own chain), and keep working", async () => {
    const s = await sandbox();
    const legacy = await legacyRecord(s, "jira", ALICE, "read:jira-user read:jira-work offline_access");
    await s.connect({ product: "confluence", ...as(BOB) });
    s.clock.advance(HOUR);
    expect(await actsAs(s, legacy)).toBe(ALICE);
    expect((await s.sdk.getConnection(legacy.id)).metadata.atlassian_account_id).toBeUndefined();
    s.clock.advance(HOUR);
    expect(await actsAs(s, legacy)).toBe(ALICE);
    expect(s.emulator.stats).toMatchObject({ refreshes: 2, reuseDetected: 0 });
  });

  it("a re-install of the same product and site replaces a 1.x record only when it is not proven to be another user's", async () => {
    const s = await sandbox();
    const legacy = await legacyRecord(s, "jira", ALICE, "read:jira-user read:jira-work offline_access read:me");
    const refused = await failure(s.connect({ product: "jira", ...as(BOB) }));
    expect(refused.code).toBe("integration_exists");
    expect((await s.sdk.getConnection(legacy.id)).metadata.atlassian_account_id).toBe(ALICE);
    expect(await actsAs(s, legacy)).toBe(ALICE);
    const again = await s.connect({ product: "jira", ...as(ALICE) });
    expect(again.id).toBe(legacy.id);

    // A 1.x grant without read:me cannot say who it is: its re-install (the 1.x -> 2.0 path) updates it in place.
    const old = await legacyRecord(s, "confluence", BOB, "read:confluence-user offline_access");
    const moved = await s.connect({ product: "confluence", ...as(BOB) });
    expect(moved.id).toBe(old.id);
    expect(moved.metadata.atlassian_account_id).toBe(BOB);
  });
});
