// Slack events (issue 13, part 4) through `sdk.handleWebhook`: the emulator signs and POSTs Events API requests to a
// Request URL that hands them to the SDK, as a service's route would.
import { SdkError, createSDK, MemoryCache, MemoryStore } from "@sdk/core";
import { accessTokenKey } from "@sdk/core/provider-kit";
import { afterEach, describe, expect, it } from "vitest";
import { ENCRYPTION, STATE_SECRETS, TWELVE_HOURS, failure, startSlackHarness, type SlackHarness } from "../test/harness.js";
import { slack } from "./slack.js";
import { slackSignature } from "./verify-slack-signature.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const handle = (harness: SlackHarness, request: { headers: Record<string, string>; body: string }) => harness.sdk.handleWebhook({ provider: "slack", ...request });

describe("request signature", () => {
  it("accepts Slack's signature and refuses a wrong one, a changed body, a missing header and another secret, in constant time", async () => {
    h = await startSlackHarness();
    await h.install();
    const request = h.emulator.eventRequest("T0ACME0001", { type: "app_mention", text: "hi" });
    expect(await handle(h, request)).toEqual({ integration_ids: [] });
    const tampered = request.body.replace("hi", "ho");
    const cases: Array<Record<string, string> | { body: string }> = [
      { "x-slack-signature": `v0=${"0".repeat(64)}` },
      { "x-slack-signature": "v0=short" },
      { "x-slack-signature": slackSignature("another-apps-signing-secret", request.headers["x-slack-request-timestamp"]!, request.body) },
      { "x-slack-request-timestamp": "not-a-number" },
      { body: tampered },
    ];
    for (const change of cases) {
      const headers = "body" in change ? request.headers : { ...request.headers, ...change };
      const error = await failure(handle(h, { headers, body: "body" in change ? change.body : request.body }));
      expect(error.code, JSON.stringify(Object.keys(change))).toBe("webhook_signature_invalid");
      expect(error.message).not.toContain(h.emulator.signingSecret);
    }
    const { "x-slack-signature": _dropped, ...unsigned } = request.headers;
    expect((await failure(handle(h, { headers: unsigned, body: request.body }))).code).toBe("webhook_signature_invalid");
    // Header names are case-insensitive, as frameworks hand them over either way.
    const upper = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toUpperCase(), value]));
    expect(await handle(h, { headers: upper, body: request.body })).toEqual({ integration_ids: [] });
  });

  it("refuses a request more than 5 minutes old (or ahead) with webhook_replayed, and applies nothing", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    const now = Math.floor(h.emulator.clock.now() / 1000);
    const old = h.emulator.eventRequest("T0ACME0001", { type: "app_uninstalled" }, { timestampSeconds: now - 301 });
    expect((await failure(handle(h, old))).code).toBe("webhook_replayed");
    const ahead = h.emulator.eventRequest("T0ACME0001", { type: "app_uninstalled" }, { timestampSeconds: now + 301 });
    expect((await failure(handle(h, ahead))).code).toBe("webhook_replayed");
    // A captured request replayed later: valid signature, stale timestamp.
    const captured = h.emulator.eventRequest("T0ACME0001", { type: "app_uninstalled" });
    h.emulator.clock.advance(5 * 60_000 + 1000);
    expect((await failure(handle(h, captured))).code).toBe("webhook_replayed");
    expect((await h.sdk.getConnection(saved.id)).status).toBe("active");
    const edge = h.emulator.eventRequest("T0ACME0001", { type: "app_mention" }, { timestampSeconds: Math.floor(h.emulator.clock.now() / 1000) - 300 });
    expect(await handle(h, edge)).toEqual({ integration_ids: [] });
  });

  it("is misconfigured without slack({ signingSecret })", async () => {
    h = await startSlackHarness();
    const { signingSecret: _secret, ...options } = h.options;
    const sdk = createSDK({ store: new MemoryStore(), cache: new MemoryCache(), state: { secrets: STATE_SECRETS }, encryption: ENCRYPTION, providers: [slack(options)] });
    const { headers, body } = h.emulator.urlVerificationRequest();
    const error = await failure(sdk.handleWebhook({ provider: "slack", headers, body }));
    expect(error).toMatchObject({ code: "misconfigured", details: { field: "slack.signingSecret" } });
  });
});

describe("events", () => {
  it("answers url_verification with the challenge, through a Request URL", async () => {
    h = await startSlackHarness();
    const receiver = await h.eventsReceiver();
    const verification = h.emulator.urlVerificationRequest();
    const answer = await h.emulator.events.send(verification);
    expect(answer).toEqual({ status: 200, body: verification.challenge });
    expect(receiver.results).toEqual([{ status: 200, event: "url_verification", integration_ids: [] }]);
  });

  it("app_uninstalled: every record of that workspace (bot and users, every account) is revoked, cache keys dropped; other workspaces untouched", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    const receiver = await h.eventsReceiver();
    const workspace = await h.install({ consent: { user: "U0ALICE001" } });
    await h.install({ user_id: "app-user-2", consent: { user: "U0BOB00001" } });
    const other = await h.install({ account_id: "acct-2", consent: { user: "U0CAROL001" } });
    const grid = await h.install({ consent: { team: "T0GRID0001", user: "U0DAVE0001" } });
    const alice = await h.userConnection("U0ALICE001");
    const bob = await h.userConnection("U0BOB00001");
    const carol = await h.userConnection("U0CAROL001", { account_id: "acct-2" });
    for (const id of [workspace.id, alice.id]) await h.resolve(id);

    const deliveries = await h.emulator.uninstallApp("T0ACME0001");
    expect(deliveries.map((delivery) => delivery.status)).toEqual([200, 200]);
    const revoked = [workspace.id, alice.id, bob.id, other.id, carol.id].sort();
    expect(receiver.results.at(-1)).toMatchObject({ event: "app_uninstalled" });
    // tokens_revoked came first and already revoked them all; app_uninstalled then finds nothing left to change.
    expect([...(receiver.results[0]!.integration_ids ?? [])].sort()).toEqual(revoked);
    for (const id of revoked) expect((await h.sdk.getConnection(id)).status).toBe("revoked");
    expect((await h.sdk.getConnection(grid.id)).status).toBe("active");
    expect(await h.cache.get(accessTokenKey("slack", workspace.id, "acct-1"))).toBeUndefined();
    expect(await h.cache.get(accessTokenKey("slack", alice.id, "acct-1", "user"))).toBeUndefined();
    expect((await failure(h.resolve(alice.id))).code).toBe("integration_revoked");
    expect(h.events.filter((event) => event.name === "connection.revoked").map((event) => event.payload.integration_id).sort()).toEqual(revoked);

    // app_uninstalled alone (Slack does not promise tokens_revoked first) revokes everything too.
    const again = await h.install({ consent: { user: "U0ALICE001" } });
    expect(again).toMatchObject({ id: workspace.id, status: "active" });
    const result = await handle(h, h.emulator.eventRequest("T0ACME0001", { type: "app_uninstalled" }));
    expect(result.event).toBe("app_uninstalled");
    expect([...result.integration_ids].sort()).toEqual([workspace.id, alice.id].sort());
    // A redelivery changes nothing.
    expect((await handle(h, h.emulator.eventRequest("T0ACME0001", { type: "app_uninstalled" }))).integration_ids).toEqual([]);
  });

  it("app_uninstalled of an org-wide install revokes the org's records, not a workspace install of that org", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    await h.eventsReceiver();
    const org = await h.install({ consent: { team: "E0GRID0001", user: "W0ADMIN001" } });
    const workspace = await h.install({ consent: { team: "T0GRID0001", user: "U0DAVE0001" } });
    const admin = await h.userConnection("W0ADMIN001", { enterprise_id: "E0GRID0001" });
    await h.emulator.uninstallApp("E0GRID0001");
    expect((await h.sdk.getConnection(org.id)).status).toBe("revoked");
    expect((await h.sdk.getConnection(admin.id)).status).toBe("revoked");
    expect((await h.sdk.getConnection(workspace.id)).status).toBe("active");
  });

  it("tokens_revoked for one user: only that user's connection is revoked; the bot and other users keep working", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    const receiver = await h.eventsReceiver();
    const workspace = await h.install({ consent: { user: "U0ALICE001" } });
    await h.install({ user_id: "app-user-2", consent: { user: "U0BOB00001" } });
    const alice = await h.userConnection("U0ALICE001");
    const bob = await h.userConnection("U0BOB00001");
    await h.resolve(alice.id);
    expect((await h.emulator.revokeUserToken("T0ACME0001", "U0ALICE001")).status).toBe(200);
    expect(receiver.results.at(-1)).toEqual({ status: 200, event: "tokens_revoked", integration_ids: [alice.id] });
    expect((await h.sdk.getConnection(alice.id)).status).toBe("revoked");
    expect(await h.cache.get(accessTokenKey("slack", alice.id, "acct-1", "user"))).toBeUndefined();
    h.emulator.clock.advance(TWELVE_HOURS);
    expect((await h.resolve(workspace.id)).bot_token).toMatch(/^xoxe\.xoxb-/);
    expect((await h.resolve(bob.id)).user_token).toMatch(/^xoxe\.xoxp-/);
    // A re-install by Alice brings her connection back.
    await h.install({ consent: { user: "U0ALICE001" } });
    expect((await h.sdk.getConnection(alice.id)).status).toBe("active");
  });

  it("tokens_revoked for the bot revokes the workspace's connection; a 1.x record loses only the revoked chain", async () => {
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] }, legacyRecords: true });
    const workspace = await h.install({ consent: { user: "U0ALICE001" } });
    const botUser = String(workspace.metadata.bot_user_id);
    const result = await handle(h, h.emulator.eventRequest("T0ACME0001", { type: "tokens_revoked", tokens: { bot: [botUser] } }));
    expect(result).toEqual({ event: "tokens_revoked", integration_ids: [workspace.id] });
    expect((await h.sdk.getConnection(workspace.id)).status).toBe("revoked");
    expect((await h.sdk.getConnection((await h.userConnection("U0ALICE001")).id)).status).toBe("active");

    // A record written before 2.1 holds the bot chain and its installer's user chain.
    const draft = await h.sdk.getConnection(workspace.id);
    await h.store.create({ ...draft, id: "legacy-2", account_id: "acct-9", natural_key: null, status: "active", credentials: { refresh_token: "xoxe-1-legacy-bot", user_refresh_token: "xoxe-1-legacy-user", user_scopes: ["search:read"] } } as never);
    const userOnly = await handle(h, h.emulator.eventRequest("T0ACME0001", { type: "tokens_revoked", tokens: { oauth: ["U0ALICE001"] } }));
    expect(userOnly.integration_ids).toContain("legacy-2");
    const legacy = await h.sdk.getConnection("legacy-2");
    expect(legacy).toMatchObject({ status: "active", credential_fields: ["refresh_token"] });
    expect(h.lines.some((line) => line.fields.integration_id === "legacy-2" && /other token stays/.test(line.message))).toBe(true);
  });

  it("acknowledges and ignores events of unknown workspaces, other event types and non-JSON bodies; a malformed envelope is validation_failed", async () => {
    h = await startSlackHarness();
    const saved = await h.install();
    const stranger = h.emulator.events.sign({ type: "event_callback", team_id: "T0STRANGER", api_app_id: h.emulator.appId, event: { type: "app_uninstalled" } });
    expect(await handle(h, stranger)).toEqual({ event: "app_uninstalled", integration_ids: [] });
    expect(await handle(h, h.emulator.eventRequest("T0ACME0001", { type: "message", text: "hello" }))).toEqual({ integration_ids: [] });
    const form = "payload=%7B%7D";
    const timestamp = String(Math.floor(h.emulator.clock.now() / 1000));
    expect(await handle(h, { headers: { "x-slack-request-timestamp": timestamp, "x-slack-signature": slackSignature(h.emulator.signingSecret, timestamp, form) }, body: form })).toEqual({ integration_ids: [] });
    const malformed = h.emulator.events.sign({ type: "event_callback", team_id: "not an id", event: { type: "app_uninstalled" } });
    const error = await failure(handle(h, malformed));
    expect(error).toMatchObject({ code: "validation_failed", details: { field: "handleWebhook.body.team_id" } });
    expect(SdkError.is(error)).toBe(true);
    expect((await h.sdk.getConnection(saved.id)).status).toBe("active");
  });
});
