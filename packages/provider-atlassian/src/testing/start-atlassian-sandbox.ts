// The Atlassian emulator and an SDK wired to it on one ManualClock, so a test or a demo runs the whole lifecycle
// (install, consent, callback, site selection, save, resolve, refresh) in a few lines. In-memory stores only. Built on
// the kit's trio: startAtlassianEmulator, atlassianOptionsFor, installAtlassian.
import { randomBytes } from "node:crypto";
import {
  MemoryCache,
  MemoryStore,
  createSDK,
  type CacheStore,
  type EncryptionKey,
  type IntegrationSummary,
  type Logger,
  type PersistentStore,
  type ProviderInput,
  type SDK,
} from "@sdk/core";
import { CredentialCipher } from "@sdk/core/provider-kit";
import { atlassian } from "../atlassian.js";
import type { AtlassianOptions, AtlassianProduct } from "../atlassian-options.js";
import { EMULATOR_REDIRECT_URI } from "@sdk/oauth/testing";
import { atlassianOptionsFor } from "./atlassian-options-for.js";
import { installAtlassian } from "./install-atlassian.js";
import { startAtlassianEmulator, type AtlassianEmulator, type AtlassianEmulatorOptions } from "./start-atlassian-emulator.js";

/** The callback URL the sandbox registers and the SDK sends (every emulator's default). */
export const SANDBOX_REDIRECT_URI = EMULATOR_REDIRECT_URI;

export interface AtlassianSandboxOptions {
  /** Emulator options (sites, users, reuse window, ...); its clock is shared with the SDK. */
  emulator?: AtlassianEmulatorOptions;
  /** Overrides of the `atlassian()` options (scopes, retry, timeoutMs, ...). */
  provider?: Partial<AtlassianOptions>;
  /** Credential encryption keys; `false` runs with `encryption: { plaintext: true }` (plaintext at rest, parked selections still encrypted). @default one random key */
  encryption?: EncryptionKey[] | false;
  store?: PersistentStore;
  cache?: CacheStore;
  logger?: Logger;
  /** The SDK's fetch (e.g. one that counts calls). @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** @default "required" */
  browserBinding?: "required" | "off";
  /** More providers registered in the same SDK (e.g. a generic OAuth provider). */
  extraProviders?: readonly ProviderInput[];
}

export interface ConnectInput {
  product: AtlassianProduct;
  /** @default "user-1" */
  user_id?: string;
  /** @default "acct-1" */
  account_id?: string;
  /** The Atlassian account that consents. @default the emulator's first user */
  atlassianUser?: string;
  /** cloudIds ticked on the consent page. @default every site offered */
  sites?: string[];
  /** Preselected site passed to buildInstallUrl. */
  cloud_id?: string;
  /** Site to complete a site selection with; without it `atlassian_site_selection_required` propagates. */
  pick?: string;
}

export interface AtlassianSandbox {
  emulator: AtlassianEmulator;
  clock: AtlassianEmulator["clock"];
  sdk: SDK;
  store: PersistentStore;
  cache: CacheStore;
  /** Install -> consent -> callback (-> completeSiteSelection with `pick`) -> createConnection. */
  connect(input: ConnectInput): Promise<IntegrationSummary>;
  /** The stored refresh token of an integration, decrypted (for assertions; never log it). */
  refreshTokenOf(id: string): Promise<string | undefined>;
  /** The SDK's encryption keys (empty with `encryption: false`), e.g. for `readCachedToken` from @sdk/oauth/testing. */
  keys: EncryptionKey[];
  close(): Promise<void>;
}

export const SANDBOX_STATE_SECRETS = [{ id: "sandbox", secret: "atlassian-sandbox-state-secret-0123456789" }];

export async function startAtlassianSandbox(options: AtlassianSandboxOptions = {}): Promise<AtlassianSandbox> {
  const emulator = await startAtlassianEmulator({ redirectUris: [SANDBOX_REDIRECT_URI], ...options.emulator });
  const clock = emulator.clock;
  const store = options.store ?? new MemoryStore();
  const cache = options.cache ?? new MemoryCache({ now: clock.now });
  const keys = options.encryption === false ? [] : (options.encryption ?? [{ id: "sandbox", key: randomBytes(32).toString("base64") }]);
  const cipher = new CredentialCipher(keys);
  const sdk = createSDK({
    store,
    cache,
    now: clock.now,
    state: { secrets: SANDBOX_STATE_SECRETS, browserBinding: options.browserBinding ?? "required" },
    encryption: keys.length > 0 ? { keys } : { plaintext: true },
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    providers: [
      atlassian(atlassianOptionsFor(emulator, { redirectUri: SANDBOX_REDIRECT_URI, ...options.provider })),
      ...(options.extraProviders ?? []),
    ],
  });

  return {
    emulator,
    clock,
    sdk,
    keys,
    store,
    cache,
    connect: (input) =>
      installAtlassian(sdk, emulator, {
        provider: input.product,
        user_id: input.user_id ?? "user-1",
        account_id: input.account_id ?? "acct-1",
        ...(input.cloud_id !== undefined ? { cloud_id: input.cloud_id } : {}),
        ...(input.pick !== undefined ? { pick: input.pick } : {}),
        consent: { ...(input.atlassianUser ? { user: input.atlassianUser } : {}), ...(input.sites ? { sites: input.sites } : {}) },
      }),
    async refreshTokenOf(id) {
      const record = await store.get(id);
      const value = record ? cipher.decrypt(record, "refresh_token", record.credentials.refresh_token) : undefined;
      return typeof value === "string" ? value : undefined;
    },
    close: () => emulator.close(),
  };
}
