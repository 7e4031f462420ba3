// Shared setup of the engine's tests: a fake RFC 6749 server, one movable clock for server and SDK, and an SDK
// with a generic OAuth provider pointing at the server.
import { createSDK, MemoryCache, MemoryStore, type CacheStore, type Logger, type PersistentStore } from "@sdk/core";
import { defineOAuthProvider } from "../src/define-oauth-provider.js";
import type { EngineSettings, OAuthProviderOptions } from "../src/oauth-provider-options.js";
import { ManualClock } from "../src/testing/manual-clock.js";
import { startOAuthEmulator, type OAuthEmulator, type OAuthEmulatorOptions } from "../src/testing/start-oauth-emulator.js";

export const REDIRECT_URI = "https://app.example.test/callback/acme";
export const STATE_SECRETS = [{ id: "s1", secret: "state-secret-0123456789-abcdefghijklmnop" }];
export const ENCRYPTION = { keys: [{ id: "k1", key: Buffer.alloc(32, 3).toString("base64") }] };

export interface Harness {
  server: OAuthEmulator;
  clock: ManualClock;
  store: PersistentStore;
  cache: CacheStore;
  sdk: ReturnType<typeof createSDK>;
  provider: ReturnType<typeof defineOAuthProvider>;
  /** The options the provider was defined with (to define a twin, e.g. a second process's provider). */
  providerOptions: OAuthProviderOptions;
  lines: Array<{ level: string; fields: Record<string, unknown>; message: string }>;
  /** Install URL -> consent -> callback; returns the callback result and the install. */
  install(overrides?: { user?: string; account_id?: string }): Promise<{ integrationId: string }>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    server?: Partial<OAuthEmulatorOptions>;
    /** Flat overrides of the provider's options (any group: `{ lockLeaseMs }`, `{ chains }`, a hook...). */
    provider?: Partial<EngineSettings>;
    store?: PersistentStore;
    cache?: CacheStore;
    clock?: ManualClock;
    fetch?: typeof globalThis.fetch;
  } = {},
): Promise<Harness> {
  const clock = options.clock ?? new ManualClock();
  const server = await startOAuthEmulator({ redirectUris: [REDIRECT_URI], clock, ...options.server });
  const store = options.store ?? new MemoryStore();
  const cache = options.cache ?? new MemoryCache({ now: clock.now });
  const lines: Harness["lines"] = [];
  const record = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
  const logger: Logger = { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") };
  const providerOptions = groupOptions({
    id: "acme",
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    redirectUri: REDIRECT_URI,
    authorizeUrl: server.authorizeUrl,
    tokenUrl: server.tokenUrl,
    revokeUrl: server.revokeUrl,
    apiBaseUrl: server.url,
    scopes: ["read", "write"],
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 2000 },
    timeoutMs: 2000,
    ...options.provider,
  });
  const provider = defineOAuthProvider(providerOptions);
  const sdk = createSDK({ store, cache, now: clock.now, state: { secrets: STATE_SECRETS }, encryption: ENCRYPTION, logger, providers: [provider], ...(options.fetch ? { fetch: options.fetch } : {}) });
  return {
    server,
    clock,
    store,
    cache,
    sdk,
    provider,
    providerOptions,
    lines,
    async install(overrides = {}) {
      const started = await sdk.buildInstallUrl({ provider: "acme", user_id: overrides.user ?? "user-1", account_id: overrides.account_id ?? "acct-1" });
      const back = new URL(await server.consent(started.url, { user: overrides.user ?? "user-1" }));
      const callback = await sdk.handleInstallCallback({
        provider: "acme",
        code: back.searchParams.get("code") ?? undefined,
        state: back.searchParams.get("state") ?? undefined,
        browser_binding: started.browser_binding,
      });
      const saved = await sdk.createConnection(callback.integration);
      return { integrationId: saved.id };
    },
    close: () => server.close(),
  };
}

const GROUPS = {
  client: ["clientId", "clientSecret", "redirectUri", "scopes", "scopeSeparator", "scopeParam", "pkce", "clientAuth", "tokenRequestFormat", "authorizeParams", "identityResolver"],
  endpoints: ["authorizeUrl", "tokenUrl", "revokeUrl", "apiBaseUrl", "issuer", "authorizationResponseIssParameterSupported"],
  tuning: ["timeoutMs", "retry", "skewSeconds", "lockLeaseMs", "responseLimits", "defaultExpiresInSeconds", "refreshTokenIdleMs", "refreshReuseWindow", "refreshAheadSeconds", "accessTokenOutlivesRefresh"],
  top: ["id", "family", "chains"],
} as const;

/** Flat test options in `defineOAuthProvider`'s groups (every other key is a hook). */
export function groupOptions(flat: EngineSettings): OAuthProviderOptions {
  const grouped: Record<string, Record<string, unknown>> = { client: {}, endpoints: {}, tuning: {}, hooks: {} };
  const top: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    if (value === undefined) continue;
    const group = (Object.keys(GROUPS) as Array<keyof typeof GROUPS>).find((name) => (GROUPS[name] as readonly string[]).includes(key));
    if (group === "top") top[key] = value;
    else grouped[group ?? "hooks"]![key] = value;
  }
  return { ...top, ...grouped } as unknown as OAuthProviderOptions;
}
