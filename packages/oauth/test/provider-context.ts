// A ProviderContext built from core's real parts (IntegrationRepository over a MemoryStore, a MemoryCache, the credential
// cipher, events), so the engine's parts can be tested one at a time without an SDK or a provider around them.
import { MemoryCache, MemoryStore, SdkError, SdkEvents, silentLogger, type CacheStore, type Integration } from "@sdk/core";
import { CredentialCipher, IntegrationRepository } from "@sdk/core/provider-kit";
import type { OAuthContext } from "../src/oauth-engine.js";
import { ENCRYPTION, STATE_SECRETS } from "./harness.js";

export interface PartContext {
  /** The engine handle is not needed by the parts under test alone: using it fails the test. */
  context: OAuthContext;
  store: MemoryStore;
  cache: CacheStore;
  /** Emitted events, in order. */
  events: Array<{ name: string; payload: unknown }>;
  /** Stores an active OAuth record (credentials encrypted like createConnection's). */
  seed(overrides?: Partial<Pick<Integration, "provider" | "account_id" | "created_by" | "credentials" | "metadata" | "scopes">>): Promise<Integration>;
}

let sequence = 0;

export function partContext(options: { now?: () => number; cache?: CacheStore } = {}): PartContext {
  const now = options.now ?? (() => Date.UTC(2026, 10, 30, 12));
  const store = new MemoryStore();
  const cache = options.cache ?? new MemoryCache({ now });
  const cipher = new CredentialCipher(ENCRYPTION.keys);
  const sdkEvents = new SdkEvents(silentLogger);
  const events: PartContext["events"] = [];
  for (const name of ["connection.needs_reauth", "token.refreshed", "token.refresh_failed"] as const) sdkEvents.on(name, (payload) => void events.push({ name, payload }));
  const integrations = new IntegrationRepository(store, cipher, now, silentLogger);
  const unavailable = () => {
    throw new Error("the engine handle is not wired in a part test");
  };
  const context: OAuthContext = {
    engine: { get http() { return unavailable(); }, token: unavailable, invalidate: unavailable, parkPendingInstall: unavailable },
    integrations,
    cache,
    now,
    fetch: globalThis.fetch,
    logger: silentLogger,
    events: sdkEvents,
    cipher,
    accessTokenCache: "encrypted",
    state: { secrets: STATE_SECRETS, browserBinding: "required", ttlSeconds: 600 },
    keyPrefix: "sdk",
    requireCache: () => {
      if (!cache) throw new SdkError("misconfigured", "no cache");
      return cache;
    },
  };
  return {
    context,
    store,
    cache,
    events,
    seed: (overrides = {}) => {
      sequence += 1;
      return integrations.create({
        id: `int-${sequence}`,
        provider: overrides.provider ?? "acme",
        account_id: overrides.account_id ?? "acct-1",
        created_by: overrides.created_by ?? "user-1",
        auth_type: "oauth2",
        status: "active",
        scopes: overrides.scopes ?? ["read"],
        credentials: overrides.credentials ?? { refresh_token: `refresh-${sequence}` },
        metadata: overrides.metadata ?? {},
        natural_key: null,
      });
    },
  };
}
