// What every reliability process and the benchmarks build the same way: the generic "acme" provider on the fake
// OAuth server, the createSDK options of one scenario (shared Redis, or stores given), an install through the
// consent page, and a wall clock for the server (separate processes cannot share a ManualClock).
import { createSDK } from "@sdk/core";
import { defineOAuthProvider } from "@sdk/oauth";
import { ManualClock } from "@sdk/oauth/testing";

export const REDIRECT_URI = "https://app.example.test/callback/acme";

/** The provider's clock is the real one: reuse windows are wall time, and workers cannot share a ManualClock. */
export class WallClock extends ManualClock {
  now = () => Date.now();
}

/**
 * defineOAuthProvider options (JSON only, so they cross into worker processes) for the fake server.
 * @param {{ clientId: string, clientSecret: string, authorizeUrl: string, tokenUrl: string, url: string }} server
 * @param {Record<string, unknown>} [tuning] lockLeaseMs, timeoutMs, retry, refreshReuseWindow, ...
 */
export function acmeProvider(server, tuning = {}) {
  return {
    id: "acme",
    client: { clientId: server.clientId, clientSecret: server.clientSecret, redirectUri: REDIRECT_URI, scopes: ["read", "offline_access"] },
    endpoints: { authorizeUrl: server.authorizeUrl, tokenUrl: server.tokenUrl, apiBaseUrl: server.url },
    tuning,
  };
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

/**
 * Installs through the fake server's consent page and stores the connection.
 * @param {import("@sdk/core").SDK} sdk
 * @param {{ consent(url: string, decision?: { user?: string }): Promise<string> }} server
 * @param {{ user: string, accountId: string }} who
 * @returns {Promise<string>} the integration id
 */
export async function installAcme(sdk, server, { user, accountId }) {
  const started = await sdk.buildInstallUrl({ provider: "acme", user_id: user, account_id: accountId });
  const back = new URL(await server.consent(started.url, { user }));
  const callback = await sdk.handleInstallCallback({
    provider: "acme",
    code: back.searchParams.get("code") ?? undefined,
    state: back.searchParams.get("state") ?? undefined,
    browser_binding: started.browser_binding,
  });
  return (await sdk.createConnection(callback.integration)).id;
}
