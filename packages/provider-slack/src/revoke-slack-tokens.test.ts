import { accessTokenKey } from "@sdk/core/provider-kit";
import { afterEach, describe, expect, it } from "vitest";
import { TWELVE_HOURS, failure, startSlackHarness, type SlackHarness } from "../test/harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function authTest(harness: SlackHarness, token: string) {
  const response = await fetch(`${harness.emulator.endpoints.apiBaseUrl}/auth.test`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  return ((await response.json()) as { ok: boolean; error?: string }).error ?? "ok";
}

describe("deleteConnection(id, { revoke: true })", () => {
  it("calls auth.revoke for the token of each connection (the user's, the workspace's bot), then drops cache keys and the record", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    const saved = await h.install();
    const user = await h.userConnection("U0INSTALLER");
    const runtime = await h.resolve(saved.id);
    const userRuntime = await h.resolve(user.id);
    expect(await h.sdk.deleteConnection(user.id, { revoke: true })).toEqual({ deleted: true, revoked: true });
    expect(h.emulator.stats.revocations).toBe(1);
    expect(await authTest(h, userRuntime.user_token!)).toBe("token_revoked");
    expect(await authTest(h, runtime.bot_token!)).toBe("ok");
    expect(await h.sdk.deleteConnection(saved.id, { revoke: true })).toEqual({ deleted: true, revoked: true });
    expect(h.emulator.stats.revocations).toBe(2);
    expect(h.emulator.log.filter((entry) => entry.route === "auth.revoke").map((entry) => entry.status)).toEqual([200, 200]);
    expect(await authTest(h, runtime.bot_token!)).toBe("token_revoked");
    expect(await h.store.get(saved.id)).toBeUndefined();
    expect(await h.store.get(user.id)).toBeUndefined();
    expect(await h.cache.get(accessTokenKey("slack", saved.id, "acct-1"))).toBeUndefined();
    expect(await h.cache.get(accessTokenKey("slack", user.id, "acct-1", "user"))).toBeUndefined();
    expect(h.events.at(-1)).toEqual({ name: "connection.deleted", payload: { provider: "slack", integration_id: saved.id, account_id: "acct-1", revoked: true } });
  });

  it("refreshes an expired chain first, so the token it revokes is the live one", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    const saved = await h.install();
    const user = await h.userConnection("U0INSTALLER");
    h.emulator.clock.advance(TWELVE_HOURS);
    await h.sdk.deleteConnection(user.id, { revoke: true });
    await h.sdk.deleteConnection(saved.id, { revoke: true });
    expect(h.emulator.log.map((entry) => entry.route).slice(-4)).toEqual(["oauth.v2.access", "auth.revoke", "oauth.v2.access", "auth.revoke"]);
    for (const chain of h.emulator.chains()) expect(chain.liveAccessTokens, chain.id).toEqual([]);
  });

  it("without rotation revokes the stored long-lived tokens (Slack then removes the authorization)", async () => {
    h = await startSlackHarness({ emulator: { tokenRotation: false }, provider: { userScopes: ["search:read"] } });
    const saved = await h.install();
    const runtime = await h.resolve(saved.id);
    await h.sdk.deleteConnection((await h.userConnection("U0INSTALLER")).id, { revoke: true });
    await h.sdk.deleteConnection(saved.id, { revoke: true });
    expect(h.emulator.stats.revocations).toBe(2);
    expect(await authTest(h, runtime.access_token)).toBe("token_revoked");
    expect(h.emulator.stats.tokenCalls).toBe(1);
  });

  it("counts tokens Slack already refuses as revoked: an uninstalled app and a needs_reauth integration still delete", async () => {
    h = await startSlackHarness();
    const cached = await h.install();
    await h.resolve(cached.id);
    h.emulator.revokeInstall("T0ACME0001");
    // The cached access token is still "fresh" to the SDK; auth.revoke answers token_revoked.
    expect(await h.sdk.deleteConnection(cached.id, { revoke: true })).toEqual({ deleted: true, revoked: true });

    const dead = await h.install();
    h.emulator.revokeInstall("T0ACME0001");
    h.emulator.clock.advance(TWELVE_HOURS);
    await failure(h.resolve(dead.id));
    expect((await h.sdk.getConnection(dead.id)).status).toBe("needs_reauth");
    const revokesBefore = h.emulator.counters["auth.revoke"] ?? 0;
    expect(await h.sdk.deleteConnection(dead.id, { revoke: true })).toEqual({ deleted: true, revoked: true });
    expect(h.emulator.counters["auth.revoke"] ?? 0).toBe(revokesBefore);
  });

  it("keeps the record when Slack cannot be reached, so the delete can be retried", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    h.emulator.fault("auth.revoke", { kind: "status", status: 503 }, 3);
    expect((await failure(h.sdk.deleteConnection(saved.id, { revoke: true }))).code).toBe("provider_unavailable");
    expect((await h.sdk.getConnection(saved.id)).status).toBe("active");
    expect(await h.sdk.deleteConnection(saved.id, { revoke: true })).toEqual({ deleted: true, revoked: true });
    expect(h.emulator.stats.revocations).toBe(1);
  });

  it("without revoke: true, Slack is not called", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    expect(await h.sdk.deleteConnection(saved.id)).toEqual({ deleted: true, revoked: false });
    expect(h.emulator.counters["auth.revoke"]).toBeUndefined();
  });
});
