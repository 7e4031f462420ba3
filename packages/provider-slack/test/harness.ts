// Shared setup of the provider's tests: the Slack emulator and the SDK on one ManualClock, MemoryStore + MemoryCache,
// a recording logger and every event, and more SDK instances on the same store and cache ("other processes").
import { createSDK, MemoryCache, MemoryStore, SDK_EVENT_NAMES, SdkError, type IntegrationSummary, type SDK, type SdkEventName } from "@sdk/core";
import { CredentialCipher } from "@sdk/core/provider-kit";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { findSlackConnection } from "../src/find-slack-connection.js";
import type { SlackRuntime } from "../src/slack-runtime.js";
import { slack, type SlackProvider } from "../src/slack.js";
import type { SlackProviderOptions } from "../src/slack-provider-options.js";
import { installSlack, type SlackInstallScript } from "../src/testing/install-slack.js";
import { slackOptionsFor } from "../src/testing/slack-options-for.js";
import { startSlackEmulator, type SlackEmulator, type SlackEmulatorOptions } from "../src/testing/start-slack-emulator.js";

export const REDIRECT_URI = "https://app.example.test/slack/oauth";
export const STATE_SECRETS = [{ id: "s1", secret: "state-secret-0123456789-abcdefghijklmnop" }];
export const ENCRYPTION = { keys: [{ id: "k1", key: Buffer.alloc(32, 7).toString("base64") }] };

export interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

export interface SlackHarness {
  emulator: SlackEmulator;
  store: MemoryStore;
  cache: MemoryCache;
  sdk: SDK;
  provider: SlackProvider;
  options: SlackProviderOptions;
  lines: LogLine[];
  events: Array<{ name: SdkEventName; payload: Record<string, unknown> }>;
  /** Another SDK instance with its own provider object on the same store and cache, as another process would be. */
  process(overrides?: Partial<SlackProviderOptions>): SDK;
  install(script?: Partial<SlackInstallScript>): Promise<IntegrationSummary>;
  resolve(id: string, sdk?: SDK): Promise<SlackRuntime>;
  /** The Slack user's own connection (their user token) in a workspace, through findSlackConnection; fails when absent. */
  userConnection(userId: string, where?: { team_id?: string; enterprise_id?: string; account_id?: string }): Promise<IntegrationSummary>;
  /**
   * A Request URL for Slack's events: an HTTP server that hands the raw body and headers to `sdk.handleWebhook` and
   * answers as a service would (the `response` body, 401 for a bad signature or an old request); set as
   * `emulator.events.url`. Closed with the harness.
   */
  eventsReceiver(): Promise<{ url: string; results: Array<{ status: number; event?: string; integration_ids?: string[]; code?: string }> }>;
  /** Decrypted credentials as stored. */
  credentials(id: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startSlackHarness(
  /** `legacyRecords`: the SDK reads 1.x plaintext records (`encryption.requireEncrypted: false`, the migration switch). */
  setup: { emulator?: Partial<SlackEmulatorOptions>; provider?: Partial<SlackProviderOptions>; legacyRecords?: boolean } = {},
): Promise<SlackHarness> {
  const emulator = await startSlackEmulator({ redirectUris: [REDIRECT_URI], ...setup.emulator });
  const store = new MemoryStore();
  const cache = new MemoryCache({ now: emulator.clock.now });
  const lines: LogLine[] = [];
  const events: SlackHarness["events"] = [];
  const record = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
  const logger = { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
  const options = slackOptionsFor(emulator, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2000 }, timeoutMs: 2000, ...setup.provider });
  const build = (overrides: Partial<SlackProviderOptions> = {}) => {
    const provider = slack({ ...options, ...overrides });
    const sdk = createSDK({ store, cache, now: emulator.clock.now, state: { secrets: STATE_SECRETS }, encryption: { ...ENCRYPTION, requireEncrypted: setup.legacyRecords !== true }, logger, providers: [provider] });
    for (const name of SDK_EVENT_NAMES) sdk.events.on(name, (payload) => events.push({ name, payload: payload as Record<string, unknown> }));
    return { provider, sdk };
  };
  const main = build();
  const cipher = new CredentialCipher(ENCRYPTION.keys);
  const servers: Server[] = [];
  return {
    emulator,
    store,
    cache,
    sdk: main.sdk,
    provider: main.provider,
    options,
    lines,
    events,
    process: (overrides) => build(overrides).sdk,
    install: (script = {}) => installSlack(main.sdk, emulator, { account_id: "acct-1", user_id: "app-user-1", ...script }),
    resolve: (id, sdk = main.sdk) => sdk.resolveConnection<SlackRuntime>(id),
    async userConnection(userId, where = {}) {
      const { account_id = "acct-1", ...install } = where;
      const found = await findSlackConnection(main.sdk, { account_id, ...(install.enterprise_id ? install : { team_id: install.team_id ?? "T0ACME0001" }), user_id: userId });
      if (!found) throw new Error(`no Slack connection of user ${userId}`);
      return found;
    },
    async eventsReceiver() {
      const results: Array<{ status: number; event?: string; integration_ids?: string[]; code?: string }> = [];
      const server = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
          main.sdk.handleWebhook({ provider: "slack", headers, body: Buffer.concat(chunks).toString("utf8") }).then(
            (result) => {
              results.push({ status: 200, integration_ids: result.integration_ids, ...(result.event ? { event: result.event } : {}) });
              response.writeHead(200, { "content-type": result.response?.content_type ?? "text/plain" }).end(result.response?.body ?? "");
            },
            (error: unknown) => {
              const code = SdkError.is(error) ? error.code : "unknown";
              const status = code === "webhook_signature_invalid" || code === "webhook_replayed" ? 401 : code === "validation_failed" ? 400 : 500;
              results.push({ status, code });
              response.writeHead(status).end();
            },
          );
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      servers.push(server);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
      emulator.events.url = url;
      return { url, results };
    },
    async credentials(id) {
      const stored = await store.get(id);
      if (!stored) throw new Error(`no record ${id}`);
      return cipher.decryptFields(stored, stored.credentials);
    },
    async close() {
      for (const server of servers) await new Promise((resolve) => server.close(resolve));
      await emulator.close();
    },
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(run: Promise<unknown>): Promise<SdkError> {
  try {
    await run;
  } catch (error) {
    if (SdkError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

export const TWELVE_HOURS = 43_200_000;
