// One user token per Slack user (issue 13, part 3): two users of one workspace each keep their own user token, through
// refreshes, while the bot token stays one per workspace; records written before (1.x, 2.0.x) hand their user token to
// its owner's connection at the next install into that workspace.
import { type Integration } from "@sdk/core";
import { accessTokenKey } from "@sdk/core/provider-kit";
import { afterEach, describe, expect, it } from "vitest";
import { TWELVE_HOURS, startSlackHarness, type SlackHarness } from "../test/harness.js";
import { findSlackConnection } from "./find-slack-connection.js";
import { installSlack } from "./testing/install-slack.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function authTest(harness: SlackHarness, token: string): Promise<{ ok: boolean; user_id?: string; error?: string }> {
  const response = await fetch(`${harness.emulator.endpoints.apiBaseUrl}/auth.test`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  return (await response.json()) as { ok: boolean; user_id?: string; error?: string };
}

/** A Slack record as 1.x / 2.0.x stored it: one record per workspace holding the bot chain and the installer's user chain. */
async function storeLegacyRecord(harness: SlackHarness, user: string): Promise<Integration> {
  const started = await harness.sdk.buildInstallUrl({ provider: "slack", user_id: "app-user-1", account_id: "acct-1" });
  const back = new URL(await harness.emulator.consent(started.url, { user }));
  const { integration } = await harness.sdk.handleInstallCallback({ provider: "slack", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: started.browser_binding });
  const { access_token: _bot, access_token_expires_at: _botExpiry, user_access_token: _user, user_access_token_expires_at: _userExpiry, ...credentials } = integration.credentials;
  // 1.x documents: plaintext credentials, no natural_key and no version (read as null and 0).
  const legacy = { id: "legacy-1", provider: "slack", account_id: "acct-1", created_by: "app-user-1", auth_type: "oauth2", status: "active", scopes: integration.scopes, credentials, metadata: integration.metadata, created_at: "2025-01-01T00:00:00.000Z", updated_at: "2025-01-01T00:00:00.000Z" };
  return harness.store.create(legacy as unknown as Integration);
}

describe("one user token per Slack user", () => {
  it("two users of one workspace both keep a resolvable user token, each refreshed on its own chain; one bot token per workspace", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    const first = await h.install({ consent: { user: "U0ALICE001" } });
    const second = await h.install({ user_id: "app-user-2", consent: { user: "U0BOB00001" } });
    expect(second.id).toBe(first.id);
    const connections = await h.sdk.listConnections({ account_id: "acct-1", provider: "slack" });
    expect(connections.map((connection) => connection.natural_key).sort()).toEqual(["team:T0ACME0001", "team:T0ACME0001:user:U0ALICE001", "team:T0ACME0001:user:U0BOB00001"]);

    const alice = await h.userConnection("U0ALICE001");
    const bob = await h.userConnection("U0BOB00001");
    for (let expiry = 0; expiry < 3; expiry++) {
      const [workspace, aliceRuntime, bobRuntime] = await Promise.all([h.resolve(first.id), h.resolve(alice.id), h.resolve(bob.id)]);
      expect(aliceRuntime.user_token).not.toBe(bobRuntime.user_token);
      expect(await authTest(h, aliceRuntime.user_token!)).toMatchObject({ ok: true, user_id: "U0ALICE001" });
      expect(await authTest(h, bobRuntime.user_token!)).toMatchObject({ ok: true, user_id: "U0BOB00001" });
      expect(await authTest(h, workspace.bot_token!)).toMatchObject({ ok: true, user_id: workspace.bot_user_id });
      expect(h.emulator.stats.refreshesByChain).toEqual(expiry === 0 ? {} : { "bot:T0ACME0001": expiry, "user:T0ACME0001:U0ALICE001": expiry, "user:T0ACME0001:U0BOB00001": expiry });
      h.emulator.clock.advance(TWELVE_HOURS);
    }
    expect(h.emulator.stats.reuseDetected).toBe(0);
    for (const connection of await h.sdk.listConnections({ account_id: "acct-1" })) expect(connection.status).toBe("active");
  });

  it("a user's re-install updates only that user's connection; a user-only install sits beside the workspace's", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    await h.install({ consent: { user: "U0ALICE001" } });
    const alice = await h.userConnection("U0ALICE001");
    const aliceToken = (await h.resolve(alice.id)).user_token!;
    const again = await installSlack(h.process({ scopes: [] }), h.emulator, { account_id: "acct-1", user_id: "app-user-1", consent: { user: "U0ALICE001" } });
    expect(again).toMatchObject({ id: alice.id, natural_key: "team:T0ACME0001:user:U0ALICE001" });
    await h.install({ consent: { user: "U0CAROL001" } });
    expect((await h.resolve(alice.id)).user_token).not.toBe(aliceToken);
    expect(await authTest(h, (await h.resolve(alice.id)).user_token!)).toMatchObject({ ok: true, user_id: "U0ALICE001" });
    expect(await authTest(h, (await h.resolve((await h.userConnection("U0CAROL001")).id)).user_token!)).toMatchObject({ ok: true, user_id: "U0CAROL001" });
  });

  it("findSlackConnection validates its query and finds nothing for an unknown user", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    await h.install();
    expect(await findSlackConnection(h.sdk, { account_id: "acct-1", team_id: "T0ACME0001", user_id: "U0NOBODY01" })).toBeUndefined();
    expect(await findSlackConnection(h.sdk, { account_id: "acct-2", team_id: "T0ACME0001" })).toBeUndefined();
    await expect(findSlackConnection(h.sdk, { account_id: "acct-1", team_id: "t-lower" })).rejects.toMatchObject({ code: "validation_failed", details: { field: "findSlackConnection.team_id" } });
    await expect(findSlackConnection(h.sdk, { account_id: "acct-1" })).rejects.toMatchObject({ code: "validation_failed", details: { field: "findSlackConnection.team_id" } });
  });
});

describe("1.x / 2.0.x records that kept the user token in the workspace record", () => {
  it("still resolve as before, and the next install into the workspace moves the user token to its owner's connection", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] }, legacyRecords: true });
    const legacy = await storeLegacyRecord(h, "U0ALICE001");
    const before = await h.resolve(legacy.id);
    expect(before.user_token).toMatch(/^xoxe\.xoxp-/);
    expect(await findSlackConnection(h.sdk, { account_id: "acct-1", team_id: "T0ACME0001", user_id: "U0ALICE001" })).toMatchObject({ id: legacy.id });
    expect(await findSlackConnection(h.sdk, { account_id: "acct-1", team_id: "T0ACME0001" })).toMatchObject({ id: legacy.id, natural_key: null });

    // The upgrade's migration step (MIGRATION.md): the 1.x record gets its natural key, so the install below finds it.
    await h.sdk.backfillNaturalKeys();

    const workspace = await h.install({ user_id: "app-user-2", consent: { user: "U0BOB00001" } });
    expect(workspace).toMatchObject({ id: legacy.id, natural_key: "team:T0ACME0001", credential_fields: ["refresh_token", "scopes", "token_type"] });
    const alice = await h.userConnection("U0ALICE001");
    expect(alice).toMatchObject({ natural_key: "team:T0ACME0001:user:U0ALICE001", status: "active", credential_fields: ["user_refresh_token", "user_scopes", "user_token_type"] });
    expect(JSON.stringify((await h.store.get(alice.id))?.credentials.user_refresh_token)).toMatch(/"kid":"k1"/);
    // The access token moved with the chain: no refresh was needed for it.
    expect((await h.resolve(alice.id)).user_token).toBe(before.user_token);
    expect(await h.cache.get(accessTokenKey("slack", legacy.id, "acct-1", "user"))).toBeUndefined();
    expect(h.lines.some((line) => line.level === "info" && line.fields.integration_id === legacy.id && /moved/.test(line.message))).toBe(true);

    h.emulator.clock.advance(TWELVE_HOURS);
    const aliceRuntime = await h.resolve(alice.id);
    const bobRuntime = await h.resolve((await h.userConnection("U0BOB00001")).id);
    expect(await authTest(h, aliceRuntime.user_token!)).toMatchObject({ ok: true, user_id: "U0ALICE001" });
    expect(await authTest(h, bobRuntime.user_token!)).toMatchObject({ ok: true, user_id: "U0BOB00001" });
    // Alice: one refresh when the legacy record first resolved (its access token was not cached), one now.
    expect(h.emulator.stats.refreshesByChain).toMatchObject({ "user:T0ACME0001:U0ALICE001": 2, "user:T0ACME0001:U0BOB00001": 1 });
    expect(h.emulator.stats.reuseDetected).toBe(0);
  });

  it("keeps a user connection that already exists: the newer grant wins over the workspace record's copy", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] }, legacyRecords: true });
    const legacy = await storeLegacyRecord(h, "U0ALICE001");
    // The upgrade's migration step (MIGRATION.md): the 1.x record gets its natural key, so the install below finds it.
    await h.sdk.backfillNaturalKeys();
    // Alice grants her user token again (user-only): Slack rotates her chain, so the legacy record's copy is stale.
    const own = await installSlack(h.process({ scopes: [] }), h.emulator, { account_id: "acct-1", user_id: "app-user-1", consent: { user: "U0ALICE001" } });
    expect(own.natural_key).toBe("team:T0ACME0001:user:U0ALICE001");
    const token = (await h.resolve(own.id)).user_token!;
    await h.install({ user_id: "app-user-2", consent: { user: "U0BOB00001" } });
    expect((await h.sdk.getConnection(legacy.id)).credential_fields).toEqual(["refresh_token", "scopes", "token_type"]);
    expect((await h.userConnection("U0ALICE001")).id).toBe(own.id);
    expect((await h.resolve(own.id)).user_token).toBe(token);
    h.emulator.clock.advance(TWELVE_HOURS);
    expect(await authTest(h, (await h.resolve(own.id)).user_token!)).toMatchObject({ ok: true, user_id: "U0ALICE001" });
    expect((await h.sdk.listConnections({ account_id: "acct-1" })).length).toBe(3);
  });

  it("drops a user token whose owner is unknown (logged, without the token)", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] }, legacyRecords: true });
    const legacy = await storeLegacyRecord(h, "U0ALICE001");
    const { authed_user_id: _owner, ...metadata } = legacy.metadata;
    await h.store.update(legacy.id, { metadata: { ...metadata, authed_user_id: null }, updated_at: legacy.updated_at }, { expectedVersion: 0 });
    // The upgrade's migration step (MIGRATION.md): the 1.x record gets its natural key, so the install below finds it.
    await h.sdk.backfillNaturalKeys();
    await h.install({ user_id: "app-user-2", consent: { user: "U0BOB00001" } });
    expect((await h.sdk.getConnection(legacy.id)).credential_fields).toEqual(["refresh_token", "scopes", "token_type"]);
    expect(await findSlackConnection(h.sdk, { account_id: "acct-1", team_id: "T0ACME0001", user_id: "U0ALICE001" })).toBeUndefined();
    expect(h.lines.some((line) => line.level === "warn" && line.fields.integration_id === legacy.id)).toBe(true);
    for (const line of h.lines) expect(JSON.stringify(line)).not.toMatch(/xox[a-z]-|xoxe/);
  });
});
