// The Atlassian rollout check (1.x `test:atlassian-lifecycle`): the happy path on the emulator, step by step, with a
// JSON trace of every step as evidence. Secrets never reach the trace: values are redacted by field name and by
// value (every token, code, binding and state seen is collected and replaced), and refresh tokens appear only as
// short SHA-256 fingerprints so rotation and sibling sync stay visible.
import { createHash } from "node:crypto";
import { SdkError, type IntegrationSummary } from "@sdk/core";
import type { AtlassianRuntime } from "../atlassian-runtime.js";
import { startAtlassianSandbox, type AtlassianSandbox } from "./start-atlassian-sandbox.js";

export interface LifecycleStep {
  step: string;
  /** Emulator / SDK clock time, ISO 8601. */
  at: string;
  ok: boolean;
  data: unknown;
}

export interface LifecycleTrace {
  name: "atlassian-lifecycle";
  ok: boolean;
  started_at: string;
  steps: LifecycleStep[];
  /** The first failed check, if any. */
  failure?: string;
  emulator_stats?: Record<string, number>;
}

const SITES = {
  acme: { id: "11111111-1111-4111-8111-111111111111", name: "acme", url: "https://acme.atlassian.net", products: ["jira" as const, "jsm" as const, "confluence" as const] },
  wiki: { id: "22222222-2222-4222-8222-222222222222", name: "acme-wiki", url: "https://acme-wiki.atlassian.net", products: ["confluence" as const] },
};

// Field names whose values are secrets wherever they appear (an SdkError's `code` is not: the callback code is
// caught by value instead).
const SECRET_FIELD = /(^|_)(access|refresh)_token$|^token$|secret|password|authorization|binding|^state$|verifier/i;

/** Short fingerprint of a secret: enough to compare two values in a trace, useless to an attacker. */
export function fingerprint(secret: string | undefined): string | null {
  return secret === undefined ? null : createHash("sha256").update(secret).digest("hex").slice(0, 12);
}

/** Deep copy with secret-named fields and every known secret value replaced. */
export function redact(value: unknown, secrets: ReadonlySet<string>): unknown {
  if (typeof value === "string") {
    let out = value;
    for (const secret of secrets) if (secret.length >= 8 && out.includes(secret)) out = out.split(secret).join("[redacted]");
    return out;
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = SECRET_FIELD.test(key) && typeof item !== "object" ? "[redacted]" : redact(item, secrets);
    }
    return out;
  }
  return value;
}

class CheckFailed extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

/**
 * Runs Jira (one site) -> Confluence (two sites: site selection) -> JSM (scope union across all three) -> expiry ->
 * refresh rotation synced to siblings -> API calls -> delete, on a fresh emulator. Never throws: a failed check ends
 * the trace with `ok: false` and `failure`.
 */
export async function runAtlassianLifecycle(options: { onStep?: (step: LifecycleStep) => void } = {}): Promise<LifecycleTrace> {
  const secrets = new Set<string>();
  const sandbox: AtlassianSandbox = await startAtlassianSandbox({
    emulator: { sites: [SITES.acme, SITES.wiki] },
  });
  secrets.add(sandbox.emulator.clientSecret);
  const trace: LifecycleTrace = { name: "atlassian-lifecycle", ok: false, started_at: new Date(sandbox.clock.now()).toISOString(), steps: [] };
  const record = (step: string, data: unknown) => {
    const entry: LifecycleStep = { step, at: new Date(sandbox.clock.now()).toISOString(), ok: true, data: redact(data, secrets) };
    trace.steps.push(entry);
    options.onStep?.(entry);
  };
  const { sdk, emulator } = sandbox;
  const account = { user_id: "user-1", account_id: "acct-1" };

  const install = async (product: "jira" | "jsm" | "confluence", extra: Record<string, unknown> = {}) => {
    const started = await sdk.buildInstallUrl({ provider: product, ...account, ...extra });
    secrets.add(started.state);
    secrets.add(started.browser_binding);
    const url = new URL(started.url);
    const ctx = JSON.parse(Buffer.from(started.state.split(".")[0]!, "base64url").toString("utf8")).ctx as Record<string, unknown>;
    record(`${product}.build_install_url`, {
      authorize_endpoint: `${url.origin}${url.pathname}`,
      audience: url.searchParams.get("audience"),
      prompt: url.searchParams.get("prompt"),
      scope: url.searchParams.get("scope"),
      pkce: url.searchParams.has("code_challenge"),
      state_context: ctx,
      expires_at: started.expires_at,
    });
    check(url.searchParams.get("audience") === "api.atlassian.com" && url.searchParams.get("prompt") === "consent", "install URL carries audience and prompt");
    check(url.searchParams.get("scope")?.split(" ").includes("offline_access"), "install URL requests offline_access");
    check(!url.searchParams.has("code_challenge"), "no PKCE parameters (Atlassian Cloud does not support PKCE)");
    return { started, scopes: url.searchParams.get("scope")!.split(" "), ctx };
  };

  const consent = async (product: string, url: string, sites: string[]) => {
    const back = new URL(await emulator.consent(url, { sites }));
    const code = back.searchParams.get("code") ?? undefined;
    if (code) secrets.add(code);
    record(`${product}.consent`, { sites_ticked: sites, redirected_to: `${back.origin}${back.pathname}`, has_code: code !== undefined });
    check(code, "consent redirects back with a code");
    return { code, state: back.searchParams.get("state") ?? undefined };
  };

  const runtimeOf = async (id: string) => {
    const runtime = await sdk.resolveConnection<AtlassianRuntime>(id);
    secrets.add(runtime.access_token);
    return runtime;
  };

  const summary = (saved: IntegrationSummary) => ({
    id: saved.id,
    provider: saved.provider,
    status: saved.status,
    metadata: saved.metadata,
    natural_key: saved.natural_key,
    scopes: saved.scopes,
    credential_fields: saved.credential_fields,
    version: saved.version,
  });

  try {
    record("emulator.started", { sites: Object.values(SITES).map((site) => ({ cloud_id: site.id, name: site.name, products: site.products })) });

    // Jira on one site: the callback completes without a picker.
    const jiraInstall = await install("jira");
    const jiraBack = await consent("jira", jiraInstall.started.url, [SITES.acme.id]);
    const jiraCallback = await sdk.handleInstallCallback({ provider: "jira", ...jiraBack, browser_binding: jiraInstall.started.browser_binding });
    for (const value of Object.values(jiraCallback.integration.credentials)) if (typeof value === "string") secrets.add(value);
    record("jira.handle_install_callback", { integration: jiraCallback.integration });
    check(jiraCallback.integration.metadata?.cloud_id === SITES.acme.id, "single site selected without a picker");
    const jira = await sdk.createConnection(jiraCallback.integration);
    record("jira.create_connection", summary(jira));
    check(jira.status === "active" && jira.natural_key === SITES.acme.id, "jira saved active with natural key cloud_id");
    const jiraRuntime = await runtimeOf(jira.id);
    record("jira.resolve_connection", jiraRuntime);
    check(jiraRuntime.api_base_url === `${emulator.endpoints.apiBaseUrl}/ex/jira/${SITES.acme.id}`, "jira api_base_url is the gateway path of the site");
    const myself = await sdk.fetch(jira.id, "/rest/api/3/myself");
    const myselfBody = (await myself.json()) as Record<string, unknown>;
    record("jira.fetch /rest/api/3/myself", { status: myself.status, accountId: myselfBody.accountId });
    check(myself.status === 200, "GET /rest/api/3/myself answers 200");

    // Confluence: the union of the sibling's scopes is requested; the grant now reaches two Confluence sites.
    const wikiInstall = await install("confluence");
    check(jiraInstall.scopes.every((scope) => wikiInstall.scopes.includes(scope)), "confluence install requests the union with jira's scopes");
    check(Array.isArray(wikiInstall.ctx.siblings) && (wikiInstall.ctx.siblings as string[]).includes(jira.id), "the signed state names the sibling");
    const wikiBack = await consent("confluence", wikiInstall.started.url, [SITES.acme.id, SITES.wiki.id]);
    let selection: SdkError | undefined;
    try {
      await sdk.handleInstallCallback({ provider: "confluence", ...wikiBack, browser_binding: wikiInstall.started.browser_binding });
    } catch (error) {
      if (!SdkError.is(error, "atlassian_site_selection_required")) throw error;
      selection = error;
    }
    record("confluence.handle_install_callback", selection ? { error: selection.toJSON() } : { error: null });
    check(selection, "two sites -> atlassian_site_selection_required");
    const offered = selection.details.sites as Array<{ cloud_id: string }>;
    check(offered.length === 2, "the picker offers both Confluence sites");
    const picked = await sdk.completeSiteSelection({ selection_id: selection.details.selection_id as string, cloud_id: SITES.wiki.id, browser_binding: wikiInstall.started.browser_binding });
    for (const value of Object.values(picked.integration.credentials)) if (typeof value === "string") secrets.add(value);
    record("confluence.complete_site_selection", { integration: picked.integration });
    check(picked.integration.metadata?.cloud_id === SITES.wiki.id, "the picked site is the integration's site");
    const wiki = await sdk.createConnection(picked.integration);
    record("confluence.create_connection", summary(wiki));
    const spaces = await sdk.fetch(wiki.id, "/wiki/api/v2/spaces");
    record("confluence.fetch /wiki/api/v2/spaces", { status: spaces.status });
    check(spaces.status === 200, "GET /wiki/api/v2/spaces answers 200");

    // JSM: the union now spans all three products; only one site offers JSM.
    const jsmInstall = await install("jsm", { cloud_id: SITES.acme.id });
    check([...jiraInstall.scopes, ...wikiInstall.scopes].every((scope) => jsmInstall.scopes.includes(scope)), "jsm install requests the union of jira's and confluence's scopes");
    const jsmBack = await consent("jsm", jsmInstall.started.url, [SITES.acme.id, SITES.wiki.id]);
    const jsmCallback = await sdk.handleInstallCallback({ provider: "jsm", ...jsmBack, browser_binding: jsmInstall.started.browser_binding });
    for (const value of Object.values(jsmCallback.integration.credentials)) if (typeof value === "string") secrets.add(value);
    record("jsm.handle_install_callback", { integration: jsmCallback.integration });
    const jsm = await sdk.createConnection(jsmCallback.integration);
    record("jsm.create_connection", summary(jsm));
    const desks = await sdk.fetch(jsm.id, "/rest/servicedeskapi/servicedesk");
    record("jsm.fetch /rest/servicedeskapi/servicedesk", { status: desks.status });
    check(desks.status === 200, "GET /rest/servicedeskapi/servicedesk answers 200");

    const ids = [jira.id, wiki.id, jsm.id];
    const fingerprints = async () => Object.fromEntries(await Promise.all(ids.map(async (id) => [id, fingerprint(await sandbox.refreshTokenOf(id))])));
    const afterInstall = await fingerprints();
    record("siblings.refresh_token_fingerprints", afterInstall);
    check(new Set(Object.values(afterInstall)).size === 1, "every sibling holds the newest grant's refresh token");

    // Expiry: each sibling refreshes with the newest rotated token; the emulator never sees a reuse.
    sandbox.clock.advance(3600 * 1000);
    const refreshedJira = await runtimeOf(jira.id);
    const afterJira = await fingerprints();
    record("jira.refresh", { refreshes: emulator.stats.refreshes, refresh_token_fingerprints: afterJira, expires_at: refreshedJira.expires_at });
    check(emulator.stats.refreshes === 1 && new Set(Object.values(afterJira)).size === 1 && afterJira[jira.id] !== afterInstall[jira.id], "jira's rotated refresh token is written to every sibling");
    sandbox.clock.advance(11 * 60 * 1000);
    await runtimeOf(wiki.id);
    await runtimeOf(jsm.id);
    const afterAll = await fingerprints();
    record("siblings.refresh", { refreshes: emulator.stats.refreshes, reuse_detected: emulator.stats.reuseDetected, refresh_token_fingerprints: afterAll });
    const stats: Record<string, number> = { ...emulator.stats };
    check(stats.refreshes === 3 && stats.reuseDetected === 0, "three refreshes, each with the newest token, no reuse");
    const again = await sdk.fetch(jira.id, "/rest/api/3/myself");
    record("jira.fetch_after_refresh", { status: again.status });
    check(again.status === 200, "API call after refresh answers 200");

    const removed = await sdk.deleteConnection(jsm.id);
    record("jsm.delete_connection", removed);
    const left = await sdk.listConnections({ account_id: account.account_id });
    record("connections.list", left.map(summary));
    check(removed.deleted && left.length === 2, "deleting one product leaves its siblings");
    trace.ok = true;
  } catch (error) {
    const message = error instanceof CheckFailed ? error.message : SdkError.is(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    trace.failure = redact(message, secrets) as string;
    trace.steps.push({ step: "failed", at: new Date(sandbox.clock.now()).toISOString(), ok: false, data: trace.failure });
  } finally {
    trace.emulator_stats = { ...emulator.stats };
    await sandbox.close();
  }
  return trace;
}
