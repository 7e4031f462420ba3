import { accessTokenKey } from "@sdk/core/provider-kit";
import { afterEach, describe, expect, it } from "vitest";
import { readCachedToken } from "@sdk/oauth/testing";
import { ENCRYPTION, TWELVE_HOURS, startSlackHarness, type SlackHarness } from "../test/harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const TWO_HOURS = 7_200_000;

describe("token rotation", () => {
  it("refreshes the bot and the user chain separately: one oauth.v2.access each, both refresh tokens rotated", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    const saved = await h.install();
    const user = await h.userConnection("U0INSTALLER");
    const first = await h.resolve(saved.id);
    const firstUser = await h.resolve(user.id);
    const before = await h.credentials(saved.id);
    const beforeUser = await h.credentials(user.id);
    h.emulator.clock.advance(TWELVE_HOURS);
    const second = await h.resolve(saved.id);
    const secondUser = await h.resolve(user.id);
    expect(h.emulator.stats.refreshesByChain).toEqual({ "bot:T0ACME0001": 1, "user:T0ACME0001:U0INSTALLER": 1 });
    expect(second.bot_token).not.toBe(first.bot_token);
    expect(secondUser.user_token).not.toBe(firstUser.user_token);
    expect(h.emulator.chain(second.bot_token!)?.kind).toBe("bot");
    expect(h.emulator.chain(secondUser.user_token!)?.kind).toBe("user");
    const after = await h.credentials(saved.id);
    const afterUser = await h.credentials(user.id);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(afterUser.user_refresh_token).not.toBe(beforeUser.user_refresh_token);
    expect(after.refresh_token).toBe(h.emulator.chain(second.bot_token!)?.refreshToken);
    expect(afterUser.user_refresh_token).toBe(h.emulator.chain(secondUser.user_token!)?.refreshToken);
    expect((await readCachedToken(h.cache, accessTokenKey("slack", saved.id, "acct-1"), ENCRYPTION.keys))?.access_token).toBe(second.bot_token);
    expect((await readCachedToken(h.cache, accessTokenKey("slack", user.id, "acct-1", "user"), ENCRYPTION.keys))?.access_token).toBe(secondUser.user_token);
    expect(h.events.filter((event) => event.name === "token.refreshed").map((event) => [event.payload.integration_id, event.payload.chain ?? "bot"])).toEqual([
      [saved.id, "bot"],
      [user.id, "user"],
    ]);
    expect(second.expires_at).toBe(new Date(h.emulator.clock.now() + TWELVE_HOURS).toISOString());
  });

  it("refreshes two hours before the 12 h expiry (Bolt's margin), not earlier", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    h.emulator.clock.advance(TWELVE_HOURS - TWO_HOURS - 1000);
    await h.resolve(saved.id);
    expect(h.emulator.stats.refreshes).toBe(0);
    h.emulator.clock.advance(2000);
    await h.resolve(saved.id);
    expect(h.emulator.stats.refreshes).toBe(1);
  });

  it("a token Slack refuses in sdk.fetch (token_expired) refreshes that chain only, and the retry succeeds", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    const saved = await h.install();
    const user = await h.userConnection("U0INSTALLER");
    const runtime = await h.resolve(saved.id);
    const userRuntime = await h.resolve(user.id);
    h.emulator.expireToken(runtime.bot_token!);
    const response = await h.sdk.fetch(saved.id, "/chat.postMessage", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ channel: "C0GENERAL1", text: "hello" }) });
    expect(await response.json()).toMatchObject({ ok: true });
    expect(h.emulator.stats.refreshesByChain).toEqual({ "bot:T0ACME0001": 1 });
    expect((await h.resolve(user.id)).user_token).toBe(userRuntime.user_token);
    expect(h.emulator.messages).toHaveLength(1);
  });

  it("200 concurrent resolves of an expired bot token make exactly one oauth.v2.access call", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    h.emulator.clock.advance(TWELVE_HOURS);
    h.emulator.fault("oauth.v2.access", { kind: "delay", ms: 50 }, 1);
    const calls = h.emulator.counters["oauth.v2.access"]!;
    const runtimes = await Promise.all(Array.from({ length: 200 }, () => h!.resolve(saved.id)));
    expect(h.emulator.counters["oauth.v2.access"]! - calls).toBe(1);
    expect(h.emulator.stats.refreshes).toBe(1);
    expect(new Set(runtimes.map((runtime) => runtime.access_token)).size).toBe(1);
  });

  it("200 resolves over 4 processes sharing store and cache: one call per chain and expiry, five expiries in a row, no reuse", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    const saved = await h.install();
    const user = await h.userConnection("U0INSTALLER");
    const processes = [h.sdk, h.process(), h.process(), h.process()];
    for (let expiry = 1; expiry <= 5; expiry++) {
      h.emulator.clock.advance(TWELVE_HOURS);
      h.emulator.fault("oauth.v2.access", { kind: "delay", ms: 30 }, 2);
      const runtimes = await Promise.all(processes.flatMap((sdk) => Array.from({ length: 50 }, (_, index) => h!.resolve(index % 2 ? saved.id : user.id, sdk))));
      expect(h.emulator.stats.refreshesByChain).toEqual({ "bot:T0ACME0001": expiry, "user:T0ACME0001:U0INSTALLER": expiry });
      expect(new Set(runtimes.map((runtime) => runtime.access_token)).size).toBe(2);
    }
    expect(h.emulator.stats.tokenCalls).toBe(1 + 10);
    expect(h.emulator.stats.reuseDetected).toBe(0);
    expect((await h.sdk.getConnection(saved.id)).status).toBe("active");
  });

  it("a non-rotating install never calls oauth.v2.access after the install, however many resolves and days", async () => {
    h = await startSlackHarness({ emulator: { tokenRotation: false } });
    const saved = await h.install();
    for (let day = 0; day < 5; day++) {
      h.emulator.clock.advance(24 * 3600 * 1000);
      await Promise.all(Array.from({ length: 20 }, () => h!.resolve(saved.id)));
    }
    expect(h.emulator.stats.tokenCalls).toBe(1);
    expect(h.events.filter((event) => event.name === "token.refreshed")).toEqual([]);
  });
});
