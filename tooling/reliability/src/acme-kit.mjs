// What every reliability process and the benchmarks build the same way: the generic "acme" provider on the OAuth
// emulator running on real time (separate processes cannot share a ManualClock), and the createSDK options of one
// scenario (shared Redis, or stores given). Installs go through `installOAuth` from @sdk/oauth/testing.
import { createSDK } from "@sdk/core";
import { defineOAuthProvider } from "@sdk/oauth";
import { oauthOptionsFor, startOAuthEmulator } from "@sdk/oauth/testing";

export const REDIRECT_URI = "https://app.example.test/callback/acme";

/**
 * The OAuth emulator of a scenario. Its clock is the real one: reuse windows are wall time, and worker processes
 * cannot share a ManualClock.
 * @param {Partial<import("@sdk/oauth/testing").OAuthEmulatorOptions>} [options]
 * @returns {Promise<import("@sdk/oauth/testing").OAuthEmulator<import("@sdk/oauth/testing").Clock>>}
 */
export function startAcmeEmulator(options = {}) {
  return startOAuthEmulator({ redirectUris: [REDIRECT_URI], clock: { now: () => Date.now() }, ...options });
}

/**
 * defineOAuthProvider options (JSON only, so they cross into worker processes) for the emulator, without a revoke
 * URL (no scenario revokes at the provider).
 * @param {import("@sdk/oauth/testing").OAuthEmulator<import("@sdk/oauth/testing").Clock>} server
 * @param {Record<string, unknown>} [tuning] lockLeaseMs, timeoutMs, retry, refreshReuseWindow, ...
 */
export function acmeProvider(server, tuning = {}) {
  const options = oauthOptionsFor(server, { client: { redirectUri: REDIRECT_URI }, tuning });
  const { revokeUrl: _noRevocation, ...endpoints } = options.endpoints;
  // The emulator's token URL is a string (never the per-target function the type allows): JSON can carry it.
  return { ...options, endpoints: { ...endpoints, tokenUrl: server.tokenUrl } };
}

/**
 * The SDK of one scenario: the stores given, the scenario's state secret and encryption key, the acme provider.
 * @param {import("./worker-pool.mjs").WorkerConfig} config
 * @param {{ store: import("@sdk/core").PersistentStore, cache: import("@sdk/core").CacheStore, fetch?: typeof fetch }} stores
 */
export function scenarioSdk(config, { store, cache, fetch }) {
  return createSDK({
    store,
    cache,
    keyPrefix: config.sdkKeyPrefix,
    state: { secrets: [{ id: "s1", secret: config.stateSecret }] },
    encryption: { keys: config.encryptionKeys ?? [{ id: "k1", key: config.encryptionKey }] },
    ...(fetch ? { fetch } : {}),
    providers: [defineOAuthProvider(/** @type {any} */ (config.provider))],
  });
}
