// Shared setup of the provider's tests: the Sentry emulator and the SDK on one ManualClock, MemoryStore +
// MemoryCache, a recording logger, both Sentry providers pointed at the emulator, and an install helper.
import { MemoryCache, MemoryStore, createSDK, type InstallCallbackResult, type Logger, type SDK } from "@sdk/core";
import { CredentialCipher } from "@sdk/core/provider-kit";
import { ManualClock } from "@sdk/oauth/testing";
import { afterEach } from "vitest";
import { sentry, type SentryOptions } from "../src/sentry.js";
import { sentryOrgToken, type SentryOrgTokenOptions } from "../src/sentry-org-token.js";
import { installSentry, type SentryInstallScript } from "../src/testing/install-sentry.js";
import { sentryOptionsFor, sentryOrgTokenOptionsFor } from "../src/testing/sentry-options-for.js";
import { startSentryEmulator, type SentryEmulator, type SentryEmulatorOptions } from "../src/testing/start-sentry-emulator.js";

export const REDIRECT_URL = "https://app.example.test/callback/sentry";
export const STATE_SECRETS = [{ id: "s1", secret: "state-secret-0123456789-abcdefghijklmnop" }];
export const ENCRYPTION_KEYS = [{ id: "k1", key: Buffer.alloc(32, 7).toString("base64") }];
export const EIGHT_HOURS = 8 * 60 * 60 * 1000;

export interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}

export interface HarnessOptions {
  emulator?: Partial<SentryEmulatorOptions>;
  provider?: Partial<SentryOptions>;
  orgToken?: SentryOrgTokenOptions;
}

export interface Harness {
  emulator: SentryEmulator;
  clock: ManualClock;
  store: MemoryStore;
  cache: MemoryCache;
  sdk: SDK;
  lines: LogLine[];
  /** Another SDK instance on the same store, cache and clock with its own provider objects, as another process has. */
  process(overrides?: Partial<SentryOptions>): SDK;
  /** Installs through the emulator and stores the connection; returns its id and the installation id. */
  connect(input?: Partial<SentryInstallScript>): Promise<{ id: string; installationId: string; orgSlug: string }>;
  /** The decrypted credentials as stored. */
  storedCredentials(id: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = new ManualClock();
  const emulator = await startSentryEmulator({
    redirectUrl: REDIRECT_URL,
    clock,
    organizations: [
      { slug: "acme", name: "Acme Inc", projects: [{ slug: "backend", platform: "node" }, { slug: "web" }] },
      { slug: "globex", name: "Globex" },
    ],
    ...options.emulator,
  });
  const store = new MemoryStore();
  const cache = new MemoryCache({ now: clock.now });
  const lines: LogLine[] = [];
  const record = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
  const logger: Logger = { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
  const providers = (overrides: Partial<SentryOptions> = {}) => [
    sentry({ ...sentryOptionsFor(emulator), timeoutMs: 2000, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 2000 }, ...options.provider, ...overrides }),
    sentryOrgToken({ ...sentryOrgTokenOptionsFor(emulator), ...options.orgToken }),
  ];
  const make = (overrides?: Partial<SentryOptions>) =>
    createSDK({ store, cache, now: clock.now, state: { secrets: STATE_SECRETS }, encryption: { keys: ENCRYPTION_KEYS }, logger, providers: providers(overrides) });
  const sdk = make();
  const cipher = new CredentialCipher(ENCRYPTION_KEYS);
  return {
    emulator,
    clock,
    store,
    cache,
    sdk,
    lines,
    process: make,
    async connect(input = {}) {
      const saved = await installSentry(sdk, emulator, { user_id: "user-1", account_id: "acct-1", ...input });
      return { id: saved.id, installationId: String(saved.metadata.installation_id), orgSlug: String(saved.metadata.org_slug) };
    },
    async storedCredentials(id) {
      const raw = await store.get(id);
      if (!raw) throw new Error(`no record ${id}`);
      return cipher.decryptFields(raw, raw.credentials);
    },
    close: () => emulator.close(),
  };
}

/**
 * The install up to the callback, without createConnection: the draft it returns is what tests tamper with before
 * saving (installSentry saves at once).
 */
export async function installDraft(sdk: Pick<SDK, "buildInstallUrl" | "handleInstallCallback">, emulator: SentryEmulator, who: { user_id: string; account_id: string }): Promise<InstallCallbackResult> {
  const started = await sdk.buildInstallUrl({ provider: "sentry", ...who });
  const redirect = new URL(await emulator.consent(started.url, { user: who.user_id }));
  return sdk.handleInstallCallback({ provider: "sentry", query: redirect.searchParams, browser_binding: started.browser_binding });
}

/** Registers an afterEach that closes the harness; the returned function starts one (closing any earlier one first). */
export function useHarness(): (options?: HarnessOptions) => Promise<Harness> {
  let current: Harness | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options = {}) => {
    await current?.close();
    current = await startHarness(options);
    return current;
  };
}

/** The SdkError code a promise rejects with, or "resolved". */
export async function codeOf(run: Promise<unknown> | (() => Promise<unknown>)): Promise<string> {
  try {
    await (typeof run === "function" ? run() : run);
    return "resolved";
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") return code;
    throw error;
  }
}
