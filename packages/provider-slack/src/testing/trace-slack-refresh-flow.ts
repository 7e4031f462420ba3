// The 1.x rollout check `trace:slack-requested-flow`, kept for 2.0: the Slack token refresh path run on the emulator
// by two SDK instances ("processes" A and B) sharing one store and one cache, and printed step by step — what was
// cached, when each refresh lock was taken, what Slack was asked, what was stored. It observes the SDK only from the
// outside (wrapped cache, store and fetch, a logger, events, the emulator's log) and checks its own text for secrets.
import { createSDK, MemoryCache, MemoryStore, type SdkEventName } from "@sdk/core";
import { CredentialCipher } from "@sdk/core/provider-kit";
import { ManualClock } from "@sdk/oauth/testing";
import { randomBytes } from "node:crypto";
import type { SlackRuntime } from "../slack-runtime.js";
import { findSlackConnection } from "../find-slack-connection.js";
import { slack } from "../slack.js";
import { slackOptionsFor } from "./slack-options-for.js";
import { startSlackEmulator } from "./start-slack-emulator.js";
import { TraceRecorder, type TraceStep } from "./trace-recorder.js";

/** Knobs of `traceSlackRefreshFlow`. */
export interface SlackRefreshTraceOptions {
  /** Concurrent resolves per process after expiry. @default 3 */
  resolvesPerProcess?: number;
  /** Delay the emulator adds to each oauth.v2.access answer, so the waiting process is visible. @default 40 */
  tokenDelayMs?: number;
}

/** The recorded refresh path: readable text, the steps, and what it proved. */
export interface SlackRefreshTrace {
  steps: TraceStep[];
  /** The readable trace. */
  text: string;
  summary: {
    /** oauth.v2.access refresh calls per Slack chain. */
    refreshes_by_chain: Record<string, number>;
    resolves: number;
    /** True when every concurrent resolve of one integration got the same token (bot, or the user's). */
    one_token_per_chain: boolean;
    reuse_detected: number;
    secrets_checked: number;
    /** Known secrets found in the trace text; must be 0. */
    secrets_found: number;
  };
  /** True when the flow did what the protocol promises and nothing secret was printed. */
  ok: boolean;
}

const EVENTS: SdkEventName[] = ["token.refreshed", "token.refresh_failed", "connection.needs_reauth", "state.rejected"];
const REDIRECT_URI = "https://app.example.test/slack/oauth";
const TWELVE_HOURS = 43_200_000;
const HEADER = `Slack token refresh path (trace:slack-requested-flow), on the Slack emulator.
A and B are two SDK instances sharing one store and one cache, as two processes would. Columns: step, real time
since start, actor, what (cache / store / http / event / log / note). Cache values, credentials and request or
answer bodies are shown only as sizes; keys, ids, versions, statuses and grant types are shown as they are.`;

/**
 * Installs a bot + user token on a fresh emulator (the workspace's integration and the user's), expires both, resolves them concurrently from two SDK instances
 * sharing one store and cache, and records every step. What `pnpm trace:slack-requested-flow` prints.
 */
export async function traceSlackRefreshFlow(options: SlackRefreshTraceOptions = {}): Promise<SlackRefreshTrace> {
  const perProcess = options.resolvesPerProcess ?? 3;
  const clock = new ManualClock();
  const emulator = await startSlackEmulator({ redirectUris: [REDIRECT_URI], clock });
  const trace = new TraceRecorder();
  const keys = [{ id: "trace", key: randomBytes(32).toString("base64") }];
  const cipher = new CredentialCipher(keys);
  const store = new MemoryStore();
  const cache = new MemoryCache({ now: clock.now });
  const secrets = new Set<string>([emulator.clientSecret, keys[0]!.key]);
  const processOf = (actor: string) => {
    const sdk = createSDK({
      store: trace.store(store, actor, cipher),
      cache: trace.cache(cache, actor),
      fetch: trace.fetch(globalThis.fetch, actor),
      logger: trace.logger(actor),
      now: clock.now,
      state: { secrets: [{ id: "trace", secret: randomBytes(24).toString("hex") }] },
      encryption: { keys },
      providers: [slack(slackOptionsFor(emulator, { userScopes: ["search:read"] }))],
    });
    trace.events(sdk, actor, EVENTS);
    return sdk;
  };
  try {
    const a = processOf("A");
    const b = processOf("B");

    trace.section(`Install: bot token + user token, by process A (clock ${new Date(clock.now()).toISOString()})`);
    const started = await a.buildInstallUrl({ provider: "slack", user_id: "app-user-1", account_id: "acct-1" });
    secrets.add(started.browser_binding);
    const authorize = new URL(started.url);
    trace.note(`buildInstallUrl -> ${authorize.pathname} scope=${authorize.searchParams.get("scope")} user_scope=${authorize.searchParams.get("user_scope")} state=<signed, ${started.state.length} chars>`, "A");
    const back = new URL(await emulator.consent(started.url, { user: "U0ALICE001" }));
    const code = back.searchParams.get("code") ?? "";
    secrets.add(code);
    trace.note("the user approved on Slack's consent page; the callback carries code and state", "A");
    const callback = await a.handleInstallCallback({ provider: "slack", code, state: back.searchParams.get("state") ?? undefined, browser_binding: started.browser_binding });
    const saved = await a.createConnection(callback.integration);
    const alice = await findSlackConnection(a, { account_id: "acct-1", team_id: String(saved.metadata.team_id), user_id: "U0ALICE001" });
    if (!alice) throw new Error("the installing user's connection was not stored");
    const first = [await a.resolveConnection<SlackRuntime>(saved.id), await a.resolveConnection<SlackRuntime>(alice.id)];
    trace.note(`stored the workspace's integration ${saved.id} (natural_key ${saved.natural_key}, bot token) and U0ALICE001's ${alice.id} (natural_key ${alice.natural_key}, user token); access tokens live in the cache only`, "A");

    clock.advance(TWELVE_HOURS);
    trace.section(`12 hours later (clock ${new Date(clock.now()).toISOString()}): both tokens expired; ${perProcess} concurrent resolves of each integration in A and ${perProcess} in B`);
    emulator.fault("oauth.v2.access", { kind: "delay", ms: options.tokenDelayMs ?? 40 }, 2);
    const resolves = (sdk: typeof a, id: string) => Array.from({ length: perProcess }, () => sdk.resolveConnection<SlackRuntime>(id));
    const runtimes = await Promise.all([...resolves(a, saved.id), ...resolves(b, saved.id), ...resolves(a, alice.id), ...resolves(b, alice.id)]);
    for (const runtime of [...first, ...runtimes]) {
      secrets.add(runtime.access_token);
      if (runtime.user_token) secrets.add(runtime.user_token);
    }
    for (const chain of emulator.chains()) {
      if (chain.refreshToken) secrets.add(chain.refreshToken);
      for (const token of chain.liveAccessTokens) secrets.add(token);
    }
    const oneTokenPerChain = [saved.id, alice.id].every((id) => new Set(runtimes.filter((runtime) => runtime.integration_id === id).map((runtime) => runtime.access_token)).size === 1);
    const refreshes = { ...emulator.stats.refreshesByChain };

    trace.section("What Slack saw (the emulator's request log: route, path, status; it keeps no bodies)");
    for (const entry of emulator.log) trace.note(`${entry.method} ${entry.path} -> ${entry.status}`, "slack");

    trace.section("Summary");
    trace.note(`oauth.v2.access refreshes per chain: ${JSON.stringify(refreshes)} for ${runtimes.length} concurrent resolves in 2 processes`);
    trace.note(`every resolve of the workspace got the same bot token, every resolve of U0ALICE001's the same user token: ${oneTokenPerChain ? "yes" : "NO"}`);
    trace.note(`rotated-out refresh tokens presented to Slack: ${emulator.stats.reuseDetected}`);
    const body = trace.render();
    const found = [...secrets].filter((secret) => secret.length > 0 && body.includes(secret)).length;
    trace.note(`secret scan: ${secrets.size} known secrets (client secret, code, browser binding, every access and refresh token), ${found} found in this trace`);
    const text = `${HEADER}\n${trace.render()}\n`;
    const leaked = Math.max(found, [...secrets].filter((secret) => secret.length > 0 && text.includes(secret)).length);
    const chainCounts = Object.values(refreshes);
    const ok = leaked === 0 && oneTokenPerChain && chainCounts.length === 2 && chainCounts.every((count) => count === 1) && emulator.stats.reuseDetected === 0;
    return {
      steps: trace.steps,
      text,
      summary: { refreshes_by_chain: refreshes, resolves: runtimes.length, one_token_per_chain: oneTokenPerChain, reuse_detected: emulator.stats.reuseDetected, secrets_checked: secrets.size, secrets_found: leaked },
      ok,
    };
  } finally {
    await emulator.close();
  }
}
