import { afterEach, describe, expect, it } from "vitest";
import { failure, startSlackHarness, type SlackHarness } from "../test/harness.js";
import { slackRejectsCredentials } from "./slack-rejects-credentials.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
const post = (text: string, channel = "C0GENERAL1") => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ channel, text }) });

describe("slackRejectsCredentials", () => {
  it("recognises token_expired, token_revoked and invalid_auth at HTTP 200, nothing else", async () => {
    for (const error of ["token_expired", "token_revoked", "invalid_auth"]) expect(await slackRejectsCredentials(json({ ok: false, error }))).toBe(true);
    for (const error of ["channel_not_found", "missing_scope", "ratelimited", "not_authed"]) expect(await slackRejectsCredentials(json({ ok: false, error }))).toBe(false);
    expect(await slackRejectsCredentials(json({ ok: true }))).toBe(false);
    expect(await slackRejectsCredentials(json({ ok: false, error: "token_expired" }, 500))).toBe(false);
    expect(await slackRejectsCredentials(new Response("token_expired", { headers: { "content-type": "text/plain" } }))).toBe(false);
    expect(await slackRejectsCredentials(new Response("{not json", { headers: { "content-type": "application/json" } }))).toBe(false);
  });
});

describe("sdk.fetch on Slack's Web API", () => {
  it("returns other ok:false answers untouched, with no refresh and no retry", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    const response = await h.sdk.fetch(saved.id, "/chat.postMessage", post("hi", "C0NOPE0001"));
    expect(await response.json()).toEqual({ ok: false, error: "channel_not_found" });
    expect(h.emulator.counters["chat.postMessage"]).toBe(1);
    expect(h.emulator.stats.refreshes).toBe(0);
  });

  it("a revoked access token (the install stays, as with rotation) is replaced by one refresh and the call goes through", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    const runtime = await h.resolve(saved.id);
    await fetch(h.emulator.endpoints.revokeUrl, { method: "POST", headers: { authorization: `Bearer ${runtime.access_token}` } });
    const response = await h.sdk.fetch(saved.id, "/chat.postMessage", post("after revoke"));
    expect(await response.json()).toMatchObject({ ok: true });
    expect(h.emulator.counters["chat.postMessage"]).toBe(2);
    expect(h.emulator.stats.refreshes).toBe(1);
    expect((await h.resolve(saved.id)).access_token).not.toBe(runtime.access_token);
  });

  it("the same workspace installed for other accounts rotates the shared chain: the refusal ends in needs_reauth", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    const runtime = await h.resolve(saved.id);
    // Two re-installs issue two more access tokens on the same chain: the SDK's cached one is evicted.
    const { installSlack } = await import("./testing/install-slack.js");
    await installSlack(h.process(), h.emulator, { account_id: "other-account", user_id: "u9" });
    await installSlack(h.process(), h.emulator, { account_id: "third-account", user_id: "u9" });
    expect(h.emulator.chain(runtime.access_token)?.liveAccessTokens).not.toContain(runtime.access_token);
    // Those installs rotated the chain's refresh token: this integration's copy is dead, so the retry needs a re-auth.
    expect((await failure(h.sdk.fetch(saved.id, "/chat.postMessage", post("hi")))).code).toBe("reauth_required");
    expect((await h.sdk.getConnection(saved.id)).status).toBe("needs_reauth");
    expect(h.emulator.counters["chat.postMessage"]).toBe(1);
  });

  it("a non-rotating token that Slack revoked is retried once with the same token and the refusal returned", async () => {
    h = await startSlackHarness({ emulator: { tokenRotation: false } });
    const saved = await h.install();
    h.emulator.revokeInstall("T0ACME0001");
    const response = await h.sdk.fetch(saved.id, "/chat.postMessage", post("hi"));
    expect(await response.json()).toEqual({ ok: false, error: "token_revoked" });
    expect(h.emulator.counters["chat.postMessage"]).toBe(2);
    expect(h.emulator.stats.tokenCalls).toBe(1);
  });
});
