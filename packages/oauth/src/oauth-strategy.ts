// OAuthStrategy is the ProviderDefinition every OAuth provider runs on: a thin facade that wires the engine's parts
// (install-flow, refresh-protocol, grant-siblings, chain-credentials, revocation, token-endpoint) into the contract
// core calls. Provider packages only add facts and hooks (OAuthProviderOptions); nothing provider-specific lives here.
import {
  SdkError,
  type AuthType,
  type ConfirmPendingInstallInput,
  type InstallCallbackInput,
  type InstallCallbackResult,
  type InstallUrlInput,
  type InstallUrlResult,
  type Integration,
  type IntegrationDraft,
  type IntegrationIdentity,
  type PendingInstall,
  type PendingInstallLookup,
  type PreparedConnection,
  type ProviderContext,
  type ProviderDefinition,
  type RefreshDueOutcome,
  type Runtime,
  type SiteSelectionInput,
} from "@sdk/core";
import { ChainCredentials, chainFields, hasCredential } from "./chain-credentials.js";
import { checkOAuthOptions } from "./check-oauth-options.js";
import { GrantSiblings } from "./grant-siblings.js";
import { InstallFlow } from "./install-flow.js";
import type { ChainTokens, OAuthProviderOptions } from "./oauth-provider-options.js";
import { RefreshProtocol } from "./refresh-protocol.js";
import { Revocation } from "./revocation.js";
import { storeCachedToken, tokenCodec, tokenKey, type CachedToken } from "./token-cache.js";
import type { TokenClient } from "./token-client.js";
import { TokenEndpoint } from "./token-endpoint.js";

export class OAuthStrategy implements ProviderDefinition {
  readonly id: string;
  readonly authType: AuthType = "oauth2";
  readonly family?: string;
  readonly requires = { cache: true, stateSecrets: true };
  readonly completeSiteSelection?: (context: ProviderContext, input: SiteSelectionInput) => Promise<InstallCallbackResult>;
  readonly revoke?: (context: ProviderContext, integration: Integration) => Promise<void>;
  readonly rejectsCredentials?: (response: Response) => Promise<boolean>;
  readonly refreshCannotCure?: (response: Response) => Promise<boolean>;
  readonly getPendingInstall?: (context: ProviderContext, input: PendingInstallLookup) => Promise<PendingInstall>;
  readonly confirmPendingInstall?: (context: ProviderContext, input: ConfirmPendingInstallInput) => Promise<InstallCallbackResult>;
  /** The options this provider was built with, without `clientSecret` (a private field: never printed, serialised or spread). */
  readonly options: Readonly<Omit<OAuthProviderOptions, "clientSecret">>;
  readonly #endpoint: TokenEndpoint;
  readonly #credentials: ChainCredentials;
  readonly #siblings: GrantSiblings;
  readonly #install: InstallFlow;
  readonly #refresh: RefreshProtocol;
  readonly #revocation: Revocation;

  constructor(options: OAuthProviderOptions) {
    checkOAuthOptions(options);
    const { clientSecret, ...visible } = options;
    this.options = visible;
    this.id = options.id;
    if (options.family) this.family = options.family;
    const endpoint = (this.#endpoint = new TokenEndpoint(visible, clientSecret));
    const credentials = (this.#credentials = new ChainCredentials(visible));
    const siblings = (this.#siblings = new GrantSiblings(visible, (context, integration) => this.invalidate(context, integration)));
    this.#install = new InstallFlow(visible, { endpoint, credentials });
    this.#refresh = new RefreshProtocol(visible, { endpoint, credentials, siblings });
    this.#revocation = new Revocation(visible, { endpoint, credentials, siblings });
    if (options.completeSiteSelection) this.completeSiteSelection = options.completeSiteSelection;
    if (options.rejectsCredentials) this.rejectsCredentials = options.rejectsCredentials;
    if (options.refreshCannotCure) this.refreshCannotCure = options.refreshCannotCure;
    if (this.#install.acceptsPendingInstalls) {
      this.getPendingInstall = (context, input) => this.#install.getPendingInstall(context, input);
      this.confirmPendingInstall = (context, input) => this.#install.confirmPendingInstall(context, input);
    }
    if (this.#revocation.supported) this.revoke = (context, integration) => this.#revocation.revoke(context, integration);
  }

  /** The token client bound to the SDK's fetch (created on first use so `createSDK({ fetch })` is honoured). */
  tokenClient(context: ProviderContext, options: { retryOnTimeout?: boolean } = {}): TokenClient {
    return this.#endpoint.client(context, options);
  }

  parseCredentials(credentials: unknown, field: string): Record<string, unknown> {
    return this.#credentials.parse(credentials, field);
  }

  parseMetadata(metadata: Record<string, unknown>, field: string): Record<string, unknown> {
    return this.options.parseMetadata ? this.options.parseMetadata(metadata, field) : metadata;
  }

  naturalKey(draft: { metadata: Record<string, unknown>; credentials: Record<string, unknown> }): string | null {
    return this.options.naturalKey ? this.options.naturalKey(draft) : null;
  }

  // ---- install (install-flow.ts) ---------------------------------------------------------------------------

  buildInstallUrl(context: ProviderContext, input: InstallUrlInput): Promise<InstallUrlResult> {
    return this.#install.buildInstallUrl(context, input);
  }

  handleInstallCallback(context: ProviderContext, input: InstallCallbackInput): Promise<InstallCallbackResult> {
    return this.#install.handleInstallCallback(context, input);
  }

  /**
   * Exchanges the code of an install the service did not start and parks the grant as a pending install. From a
   * webhook (`origin: "webhook"`) a code already seen gives undefined (nothing new); from a callback, a code a webhook
   * parked is claimed once by that browser and any other repeat is `pending_install_replayed`.
   */
  parkPendingInstall(context: ProviderContext, input: InstallCallbackInput, origin: "callback"): Promise<PendingInstall>;
  parkPendingInstall(context: ProviderContext, input: InstallCallbackInput, origin: "callback" | "webhook"): Promise<PendingInstall | undefined>;
  parkPendingInstall(context: ProviderContext, input: InstallCallbackInput, origin: "callback" | "webhook"): Promise<PendingInstall | undefined> {
    return this.#install.parkPendingInstall(context, input, origin);
  }

  /** Moves each refreshable chain's access token from the draft to the cache, then syncs the grant to its siblings. */
  async prepareConnection(context: ProviderContext, draft: IntegrationDraft): Promise<PreparedConnection> {
    const cache = context.requireCache();
    await this.options.beforeSave?.(context, draft);
    const { credentials, toCache } = this.#credentials.splitForCache(draft.credentials, context.now());
    return {
      draft: { ...draft, credentials },
      afterSave: async (saved) => {
        for (const [chain, token] of toCache) await storeCachedToken(cache, tokenKey(saved, chain), token, context.now(), this.#refresh.skewMs, tokenCodec(context));
        await this.#siblings.sync(context, saved, (current) => this.#credentials.copyGrant(saved, current));
        await this.options.afterSave?.(context, saved);
      },
    };
  }

  // ---- resolve and refresh (refresh-protocol.ts) -----------------------------------------------------------

  /** The cached access token of every chain, read while core reads the record (one round trip per resolve). */
  prefetch(context: ProviderContext, integration: IntegrationIdentity): Promise<Array<string | undefined>> {
    const cache = context.requireCache();
    return Promise.all(this.#credentials.chains.map((chain) => cache.get(tokenKey(integration, chain))));
  }

  async resolve(context: ProviderContext, integration: Integration, prefetched?: Promise<unknown>): Promise<Runtime> {
    const tokens: ChainTokens = {};
    const cached = prefetched ? ((await prefetched) as Array<string | undefined>) : undefined;
    for (const [index, chain] of this.#credentials.chains.entries()) {
      const names = chainFields(chain);
      // Presence only: reading the field would decrypt a refresh token that a cache hit never needs.
      if (hasCredential(integration.credentials, names.refresh)) tokens[chain] = await this.token(context, integration, chain, cached ? { raw: cached[index] } : undefined);
      else if (typeof integration.credentials[names.access] === "string") tokens[chain] = await this.#storedToken(context, integration, chain);
    }
    return { provider: integration.provider, integration_id: integration.id, account_id: integration.account_id, ...this.#credentials.runtime(integration, tokens) };
  }

  async #storedToken(context: ProviderContext, integration: Integration, chain: string): Promise<CachedToken> {
    const token = this.#credentials.storedToken(integration, chain, context.now());
    if (token !== "expired") return token;
    await this.#siblings.markNeedsReauth(context, integration, "access token expired and there is no refresh token");
    throw new SdkError("reauth_required", `The ${this.id} access token expired and cannot be refreshed: the user must connect again.`, {
      details: { provider: this.id, integration_id: integration.id },
    });
  }

  /**
   * A fresh access token of one chain: cache first, then one refresh per expiry across every process. `read.raw` is
   * the cache value already read for this resolve (prefetch), used instead of reading it again.
   */
  token(context: ProviderContext, integration: Integration, chain = "", read?: { raw: string | undefined }): Promise<CachedToken> {
    return this.#refresh.token(context, integration, chain, read);
  }

  /** `sdk.refreshDue`: refreshes each chain that is due (see refresh-due.ts) under the refresh lock. */
  refreshDue(context: ProviderContext, integration: Integration, options: { withinMs: number }): Promise<RefreshDueOutcome> {
    return this.#refresh.refreshDue(context, integration, options);
  }

  // ---- revocation (revocation.ts) --------------------------------------------------------------------------

  /** Drops the cached access tokens (only a still-cached `rejectedAccessToken`); with `deleted`, the rotation journal too. */
  invalidate(context: ProviderContext, integration: Integration, options: { rejectedAccessToken?: string; deleted?: boolean } = {}): Promise<void> {
    return this.#revocation.invalidate(context, integration, options);
  }
}
