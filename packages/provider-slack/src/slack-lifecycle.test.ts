// The 1.x rollout check `test:slack-lifecycle`, kept for 2.0: the install / callback path end to end on the Slack
// emulator through the SDK's public API. With SLACK_EVIDENCE_DIR set (`pnpm test:slack-lifecycle` sets it to
// artifacts/slack-lifecycle) it writes a transcript of what each step did and checked; the transcript holds ids,
// statuses and field names only, and the test fails if any token, code or secret got into it.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { REDIRECT_URI, failure, startSlackHarness, type SlackHarness } from "../test/harness.js";
import { findSlackConnection } from "./find-slack-connection.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const transcript: string[] = [];
const secrets = new Set<string>();
const step = (text: string) => transcript.push(`- ${text}`);

afterAll(() => {
  const text = [`# Slack install / callback lifecycle (test:slack-lifecycle)`, "", `Run at ${new Date().toISOString()} against the Slack emulator (@sdk/provider-slack/testing).`, ...transcript, ""].join("\n");
  for (const secret of secrets) expect(text).not.toContain(secret);
  const dir = process.env.SLACK_EVIDENCE_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "transcript.md"), text);
  }
});

async function keepSecrets(harness: SlackHarness) {
  secrets.add(harness.emulator.clientSecret);
  for (const chain of harness.emulator.chains()) {
    for (const token of chain.liveAccessTokens) secrets.add(token);
    if (chain.refreshToken) secrets.add(chain.refreshToken);
  }
}

describe("Slack install / callback lifecycle on the emulator", () => {
  it("workspace install with bot and user tokens: URL -> consent -> callback -> create -> resolve -> fetch -> re-install -> revoke", async () => {
    transcript.push("", "## Workspace install, bot + user token");
    h = await startSlackHarness({ provider: { scopes: ["chat:write", "channels:read"], userScopes: ["search:read"] } });
    const { sdk, emulator } = h;

    const started = await sdk.buildInstallUrl({ provider: "slack", user_id: "app-user-1", account_id: "acct-1" });
    secrets.add(started.browser_binding);
    const url = new URL(started.url);
    expect(url.searchParams.get("scope")).toBe("chat:write,channels:read");
    expect(url.searchParams.get("user_scope")).toBe("search:read");
    expect(url.searchParams.get("redirect_uri")).toBe(REDIRECT_URI);
    step(`buildInstallUrl -> ${url.origin}${url.pathname} with scope=${url.searchParams.get("scope")} user_scope=${url.searchParams.get("user_scope")}, signed state (expires ${started.expires_at}), browser binding for an httpOnly cookie`);

    const back = new URL(await emulator.consent(started.url, { team: "T0ACME0001", user: "U0ALICE001" }));
    const code = back.searchParams.get("code")!;
    const state = back.searchParams.get("state")!;
    secrets.add(code);
    expect(state).toBe(started.state);
    step("consent page approved on Slack (workspace T0ACME0001, user U0ALICE001) -> redirect with code and the same state");

    const tampered = await failure(sdk.handleInstallCallback({ provider: "slack", code, state: `${state.slice(0, -2)}AA`, browser_binding: started.browser_binding }));
    expect(tampered.code).toBe("state_bad_signature");
    const otherBrowser = await failure(sdk.handleInstallCallback({ provider: "slack", code, state, browser_binding: "another-browser-0000000000" }));
    expect(otherBrowser.code).toBe("state_binding_mismatch");
    step(`tampered state -> ${tampered.code}; callback from another browser -> ${otherBrowser.code}; neither reached Slack (oauth.v2.access calls: ${emulator.stats.tokenCalls})`);
    expect(emulator.stats.tokenCalls).toBe(0);

    const callback = await sdk.handleInstallCallback({ provider: "slack", code, state, browser_binding: started.browser_binding });
    expect(await sdk.listConnections({ account_id: "acct-1" })).toEqual([]);
    expect(callback.integration.metadata).toMatchObject({ team_id: "T0ACME0001", authed_user_id: "U0ALICE001", is_enterprise_install: false });
    step(`handleInstallCallback -> one oauth.v2.access code exchange; integration draft for team ${String(callback.integration.metadata?.team_id)} (not persisted yet, as in 1.x)`);
    const replay = await failure(sdk.handleInstallCallback({ provider: "slack", code, state, browser_binding: started.browser_binding }));
    expect(replay.code).toBe("state_replayed");
    step(`the same callback again -> ${replay.code} (state is single use)`);

    const saved = await sdk.createConnection(callback.integration);
    expect(saved).toMatchObject({ provider: "slack", status: "active", natural_key: "team:T0ACME0001", version: 1 });
    expect(saved.credential_fields).toEqual(["refresh_token", "scopes", "token_type"]);
    const raw = await h.store.get(saved.id);
    expect(JSON.stringify(raw?.credentials.refresh_token)).toMatch(/"kid":"k1"/);
    const alice = await findSlackConnection(sdk, { account_id: "acct-1", team_id: "T0ACME0001", user_id: "U0ALICE001" });
    expect(alice).toMatchObject({ natural_key: "team:T0ACME0001:user:U0ALICE001", credential_fields: ["user_refresh_token", "user_scopes", "user_token_type"] });
    step(`createConnection -> workspace integration ${saved.id} (natural_key ${saved.natural_key}, fields [${saved.credential_fields.join(", ")}]) and U0ALICE001's own integration (natural_key ${alice!.natural_key}, fields [${alice!.credential_fields.join(", ")}]), encrypted; access tokens only in the cache`);

    const runtime = await h.resolve(saved.id);
    const aliceRuntime = await h.resolve(alice!.id);
    await keepSecrets(h);
    expect(runtime).toMatchObject({ team_id: "T0ACME0001", token_type: "bot", user_token: null });
    expect(aliceRuntime).toMatchObject({ team_id: "T0ACME0001", token_type: "user", user_scopes: ["search:read"], authed_user_id: "U0ALICE001" });
    step(`resolveConnection -> workspace runtime for team ${runtime.team_id}: bot token (scopes ${runtime.bot_scopes.join(",")}), headers carry it, api_base_url set; U0ALICE001's runtime: her user token (scopes ${aliceRuntime.user_scopes.join(",")}); no token call`);

    const who = await sdk.fetch(saved.id, "/auth.test", { method: "POST" });
    const identity = (await who.json()) as { ok: boolean; team_id: string; user_id: string };
    expect(identity).toMatchObject({ ok: true, team_id: "T0ACME0001", user_id: runtime.bot_user_id });
    const posted = await sdk.fetch(saved.id, "/chat.postMessage", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ channel: "#general", text: "lifecycle check" }) });
    expect(await posted.json()).toMatchObject({ ok: true, channel: "C0GENERAL1" });
    step(`sdk.fetch("/auth.test") -> ok as bot user ${identity.user_id}; sdk.fetch("/chat.postMessage") -> ok in C0GENERAL1`);

    const again = await h.install({ consent: { team: "T0ACME0001", user: "U0ALICE001" } });
    await keepSecrets(h);
    expect(again).toMatchObject({ id: saved.id, version: 2, status: "active" });
    expect(await findSlackConnection(sdk, { account_id: "acct-1", team_id: "T0ACME0001", user_id: "U0ALICE001" })).toMatchObject({ id: alice!.id, version: 2 });
    step(`re-install of the same workspace by the same user -> the same two integrations updated in place (version ${again.version})`);

    expect(await sdk.deleteConnection(alice!.id, { revoke: true })).toEqual({ deleted: true, revoked: true });
    expect(await sdk.deleteConnection(saved.id, { revoke: true })).toEqual({ deleted: true, revoked: true });
    expect(emulator.stats.revocations).toBe(2);
    step(`deleteConnection({ revoke: true }) on U0ALICE001's and the workspace's integration -> auth.revoke for the user and the bot token (${emulator.stats.revocations} revoked), records and cache keys gone`);
  });

  it("Enterprise Grid org-wide install keys on the org; user-only install keys on the user", async () => {
    transcript.push("", "## Enterprise Grid org install, and a user-token-only install");
    h = await startSlackHarness({ provider: { userScopes: ["search:read"] } });
    const org = await h.install({ consent: { team: "E0GRID0001" } });
    expect(org).toMatchObject({ natural_key: "enterprise:E0GRID0001", metadata: { is_enterprise_install: true, team_id: null, enterprise_id: "E0GRID0001" } });
    const orgRuntime = await h.resolve(org.id);
    expect(orgRuntime.enterprise_id).toBe("E0GRID0001");
    const installer = await findSlackConnection(h.sdk, { account_id: "acct-1", enterprise_id: "E0GRID0001", user_id: "U0INSTALLER" });
    expect(installer?.natural_key).toBe("enterprise:E0GRID0001:user:U0INSTALLER");
    expect((await h.resolve(installer!.id)).user_token).toMatch(/^xoxe\.xoxp-/);
    step(`org-wide install -> natural_key ${org.natural_key}, team_id null, enterprise_id E0GRID0001; the installer's user token is its own integration (enterprise:E0GRID0001:user:…)`);
    await keepSecrets(h);
    await h.close();

    h = await startSlackHarness({ provider: { scopes: [], userScopes: ["search:read"] } });
    const userOnly = await h.install({ consent: { user: "U0BOB00001" } });
    expect(userOnly).toMatchObject({ natural_key: "team:T0ACME0001:user:U0BOB00001", credential_fields: ["user_refresh_token", "user_scopes", "user_token_type"] });
    const runtime = await h.resolve(userOnly.id);
    expect(runtime).toMatchObject({ token_type: "user", bot_token: null });
    step(`user-only install (user_scope only, no top-level token) -> natural_key ${userOnly.natural_key}; runtime headers carry the user token`);
    await keepSecrets(h);
  });

  it("a denied install and an expired code are clear errors, and nothing is stored", async () => {
    transcript.push("", "## Refusals");
    h = await startSlackHarness({ emulator: { codeTtlMs: 1000 } });
    const denied = await failure(h.install({ consent: { approve: false } }));
    expect(denied.code).toBe("authorization_denied");
    step(`user clicks Cancel on Slack -> ${denied.code} (${String(denied.details.provider_error)})`);
    const started = await h.sdk.buildInstallUrl({ provider: "slack", user_id: "app-user-1", account_id: "acct-1" });
    const back = new URL(await h.emulator.consent(started.url));
    secrets.add(back.searchParams.get("code")!);
    h.emulator.clock.advance(2000);
    const expired = await failure(h.sdk.handleInstallCallback({ provider: "slack", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: started.browser_binding }));
    expect(expired).toMatchObject({ code: "reauth_required", details: { provider_error: "invalid_code" } });
    step(`callback with an expired code -> ${expired.code} (Slack: ${String(expired.details.provider_error)}): start the install again`);
    expect(await h.sdk.listConnections({ account_id: "acct-1" })).toEqual([]);
    step("no integration stored");
  });
});
