// The engine handle a provider's hooks get (`context.engine`): the provider's HTTP client, a fresh token of any chain,
// cache invalidation and webhook-parked installs, bound to the SDK call in progress. Hooks reach the engine only
// through it, never through the provider object.
import type { Integration, PendingInstall } from "@sdk/core";
import type { InstallCallbackInput, ProviderContext } from "@sdk/core/provider-kit";
import type { CachedToken } from "./token-cache.js";
import type { TokenClient } from "./token-client.js";

export interface OAuthEngine {
  /**
   * This provider's HTTP client on the SDK's `fetch`: deadlines, retries with backoff, the provider's error mapping and
   * response limits. `post` sends the client credentials (token endpoint); `send` sends exactly what it is given
   * (API calls with a bearer token).
   */
  readonly http: TokenClient;
  /** A fresh access token of one chain ("" is the primary one): cache first, one refresh per expiry across processes. */
  token(integration: Integration, chain?: string): Promise<CachedToken>;
  /** Drops the integration's cached access tokens (e.g. after a provider said it was uninstalled). */
  invalidate(integration: Integration): Promise<void>;
  /**
   * Parks an install the service did not start, reported by a provider webhook (needs the `pendingInstall` hook); undefined
   * when the code was already seen (a redelivery, or the browser redirect won). See the README's "Pending installs".
   */
  parkPendingInstall(input: InstallCallbackInput): Promise<PendingInstall | undefined>;
}

/** What every hook of `defineOAuthProvider` gets as its context: the SDK's provider context plus `engine`. */
export interface OAuthContext extends ProviderContext {
  readonly engine: OAuthEngine;
}
