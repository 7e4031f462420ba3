// OAuthStrategy is the engine behind every `defineOAuthProvider`: a thin facade that wires the engine's parts
// (install-flow, refresh-protocol, grant-siblings, chain-credentials, revocation, token-endpoint) into the contract core
// calls, and hands hooks their OAuthContext. Internal: users and provider packages only see a ProviderDefinition.
import { traced } from "./oauth-telemetry.js";
import {
  SdkError,
  type AuthType,
  type ConfirmPendingInstallInput,
  type InstallCallbackResult,
  type InstallUrlResult,
  type Integration,
  type IntegrationDraft,
  type PendingInstall,
  type PendingInstallLookup,
  type ProviderDefinition,
  type Runtime,
  type TokenChainView,
  type WebhookInput,
  type WebhookResult,
} from "@sdk/core";
import {
  type InstallCallbackInput,
  type InstallUrlInput,
  type IntegrationIdentity,
  type PreparedConnection,
  type ProviderContext,
  type RefreshDueOutcome,
  type SiteSelectionInput,
} from "@sdk/core/provider-kit";
import { ChainCredentials, chainFields, hasCredential } from "./chain-credentials.js";
import { checkOAuthOptions, usesDiscovery } from "./check-oauth-options.js";
import { describeOAuthChains } from "./describe-oauth-credentials.js";
import { GrantSiblings } from "./grant-siblings.js";
import { InstallFlow } from "./install-flow.js";
import type { OAuthContext, OAuthEngine } from "./oauth-engine.js";
import type { ChainTokens, EngineSettings, OAuthProviderOptions } from "./oauth-provider-options.js";
import { RefreshProtocol } from "./refresh-protocol.js";
import { Revocation } from "./revocation.js";
import { RotationJournal } from "./rotation-journal.js";
import { ServerMetadata, fillFromMetadata, type DiscoverableOptions } from "./server-metadata.js";
import { storeCachedToken, tokenCodec, tokenKey, type CachedToken } from "./token-cache.js";
import { TokenEndpoint } from "./token-endpoint.js";

export class OAuthStrategy implements ProviderDefinition {
  readonly id: string;
  readonly authType: AuthType = "oauth2";
  readonly family?: string;
  readonly requires = { cache: true, stateSecrets: true };
  readonly completeSiteSelection?: (context: ProviderContext, input: SiteSelectionInput) => Promise<InstallCallbackResult>;
  readonly revoke?: (context: ProviderContext, integration: Integration) => Promise<void | false>;
  readonly rejectsCredentials?: (response: Response) => Promise<boolean>;
  readonly refreshCannotCure?: (response: Response) => Promise<boolean>;
  readonly getPendingInstall?: (context: ProviderContext, input: PendingInstallLookup) => Promise<PendingInstall>;
  readonly confirmPendingInstall?: (context: ProviderContext, input: ConfirmPendingInstallInput) => Promise<InstallCallbackResult>;
  readonly handleWebhook?: (context: ProviderContext, input: WebhookInput) => Promise<WebhookResult>;
  /** The options this provider was built with, flat and without `clientSecret` (a private field: never printed, serialised or spread). */
  readonly options: Readonly<Omit<EngineSettings, "clientSecret">>;
  readonly #endpoint: TokenEndpoint;
  readonly #credentials: ChainCredentials;
  readonly #siblings: GrantSiblings;
  readonly #install: InstallFlow;
  readonly #refresh: RefreshProtocol;
  readonly #revocation: Revocation;
  /** One OAuthContext per SDK context (core keeps one for its lifetime), so the hot path allocates nothing. */
  readonly #contexts = new WeakMap<ProviderContext, OAuthContext>();
  /** The server's RFC 8414 metadata, when this provider discovers what its options leave out; undefined once applied. */
  #metadata?: ServerMetadata;
  readonly #discover?: (context: ProviderContext) => Promise<void>;

  constructor(options: OAuthProviderOptions) {
    const { clientSecret, ...visible } = checkOAuthOptions(options);
    this.options = visible;
    this.id = options.id;
    if (options.family) this.family = options.family;
    const endpoint = (this.#endpoint = new TokenEndpoint(visible, clientSecret));
    const credentials = (this.#credentials = new ChainCredentials(visible));
    const siblings = (this.#siblings = new GrantSiblings(visible, (context, integration) => this.#revocation.invalidate(context, integration)));
    this.#install = new InstallFlow(visible, { endpoint, credentials });
    this.#refresh = new RefreshProtocol(visible, { endpoint, credentials, siblings });
    this.#revocation = new Revocation(visible, { endpoint, credentials, siblings });
    if (usesDiscovery(visible)) {
      const metadata = (this.#metadata = new ServerMetadata(options.id, visible.issuer!));
      // The parts read these settings by reference at call time, so filling them once is enough for every part.
      this.#discover = (context) =>
        metadata.settings(context).then((settings) => {
          fillFromMetadata(visible as DiscoverableOptions, settings);
          this.#metadata = undefined;
        });
    }
    const hooks = visible;
    if (hooks.completeSiteSelection) this.completeSiteSelection = (context, input) => hooks.completeSiteSelection!(this.#oauth(context), input);
    if (hooks.handleWebhook) this.handleWebhook = (context, input) => traced("sdk.oauth.webhook", { "sdk.provider": this.id }, () => hooks.handleWebhook!(this.#oauth(context), input));
    if (hooks.rejectsCredentials) this.rejectsCredentials = hooks.rejectsCredentials;
    if (hooks.refreshCannotCure) this.refreshCannotCure = hooks.refreshCannotCure;
    if (this.#install.acceptsPendingInstalls) {
      this.getPendingInstall = (context, input) => this.#install.getPendingInstall(this.#oauth(context), input);
      this.confirmPendingInstall = (context, input) => this.#install.confirmPendingInstall(this.#oauth(context), input);
    }
    if (this.#revocation.supported) this.revoke = (context, integration) => this.#revocation.revoke(this.#oauth(context), integration);
    else if (this.#metadata) {
      // Whether the server can revoke is known once its metadata is read (`revocation_endpoint`).
      this.revoke = async (context, integration) => {
        await this.#ready(context);
        if (!this.#revocation.supported) return false;
        return this.#revocation.revoke(this.#oauth(context), integration);
      };
    }
  }

  /** Settles once discovery filled the settings (RFC 8414); undefined, with no await, when there is nothing to wait for. */
  #ready(context: ProviderContext): Promise<void> | undefined {
    return this.#metadata ? this.#discover!(context) : undefined;
  }

  /**
   * For `sdk.checkHealth()`: the fixed endpoints whose hosts must resolve (a per-installation token URL is left out).
   * With discovery, the issuer until its metadata has been read.
   */
  /** `sdk.close()`: no new refresh ahead of expiry, and the running ones settled (their writes done). */
  close(): Promise<void> {
    return this.#refresh.close();
  }

  endpoints(): string[] {
    const { authorizeUrl, tokenUrl, revokeUrl, issuer } = this.options;
    const known = [authorizeUrl, typeof tokenUrl === "string" ? tokenUrl : undefined, revokeUrl].filter((url): url is string => url !== undefined);
    return known.length === 0 && issuer !== undefined ? [issuer] : known;
  }

  /** The SDK context plus this provider's engine handle, as every part and hook receives it. */
  #oauth(context: ProviderContext): OAuthContext {
    const known = this.#contexts.get(context);
    if (known) return known;
    const endpoint = this.#endpoint;
    const engine: OAuthEngine = {
      get http() {
        return endpoint.client(context);
      },
      token: (integration, chain = "") => this.#refresh.token(oauth, integration, chain),
      invalidate: (integration) => this.#revocation.invalidate(oauth, integration),
      parkPendingInstall: (input) => this.#install.parkPendingInstall(oauth, input, "webhook"),
    };
    // Field by field rather than a spread, so a context that is a class instance keeps working (and a new context field
    // fails to compile here instead of going missing).
    const oauth: OAuthContext = {
      integrations: context.integrations,
      cache: context.cache,
      now: context.now,
      fetch: context.fetch,
      logger: context.logger,
      events: context.events,
      cipher: context.cipher,
      accessTokenCache: context.accessTokenCache,
      state: context.state,
      keyPrefix: context.keyPrefix,
      requireCache: () => context.requireCache(),
      engine,
    };
    this.#contexts.set(context, oauth);
    return oauth;
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

  grantKey(draft: { metadata: Record<string, unknown>; credentials: Record<string, unknown> }): string | null {
    return this.options.grantKey ? this.options.grantKey(draft) : null;
  }

  // ---- install (install-flow.ts) ---------------------------------------------------------------------------

  async buildInstallUrl(context: ProviderContext, input: InstallUrlInput): Promise<InstallUrlResult> {
    await this.#ready(context);
    return this.#install.buildInstallUrl(this.#oauth(context), input);
  }

  handleInstallCallback(context: ProviderContext, input: InstallCallbackInput): Promise<InstallCallbackResult> {
    return traced("sdk.oauth.install_callback", { "sdk.provider": this.id }, async () => {
      await this.#ready(context);
      return this.#install.handleInstallCallback(this.#oauth(context), input);
    });
  }

  /**
   * Moves each refreshable chain's access token from the draft to the cache, then syncs the grant to its siblings.
   * A `prepareDraft` hook may first reshape the draft and add related drafts (Slack's user connection).
   */
  async prepareConnection(context: ProviderContext, given: IntegrationDraft): Promise<PreparedConnection> {
    const oauth = this.#oauth(context);
    const cache = oauth.requireCache();
    const reshaped = this.options.prepareDraft ? await this.options.prepareDraft(oauth, given) : { draft: given };
    const draft = reshaped.draft;
    await this.options.beforeSave?.(oauth, draft);
    const { credentials, toCache } = this.#credentials.splitForCache(draft.credentials, oauth.now());
    return {
      draft: { ...draft, credentials },
      ...(reshaped.related ? { related: reshaped.related } : {}),
      afterSave: async (saved) => {
        for (const [chain, token] of toCache) await storeCachedToken(cache, tokenKey(saved, chain), token, oauth.now(), this.#refresh.skewMs, tokenCodec(oauth));
        await this.#siblings.sync(oauth, saved, (current) => this.#credentials.copyGrant(saved, current));
        await this.options.afterSave?.(oauth, saved);
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
    const discovering = this.#ready(context);
    if (discovering) await discovering;
    const oauth = this.#oauth(context);
    const tokens: ChainTokens = {};
    const cached = prefetched ? ((await prefetched) as Array<string | undefined>) : undefined;
    for (const [index, chain] of this.#credentials.chains.entries()) {
      const names = chainFields(chain);
      // Presence only: reading the field would decrypt a refresh token that a cache hit never needs.
      if (hasCredential(integration.credentials, names.refresh)) tokens[chain] = await this.#refresh.token(oauth, integration, chain, cached ? { raw: cached[index] } : undefined);
      else if (typeof integration.credentials[names.access] === "string") tokens[chain] = await this.#storedToken(oauth, integration, chain);
    }
    return { provider: integration.provider, integration_id: integration.id, account_id: integration.account_id, ...this.#credentials.runtime(integration, tokens) };
  }

  async #storedToken(context: OAuthContext, integration: Integration, chain: string): Promise<CachedToken> {
    const token = this.#credentials.storedToken(integration, chain, context.now());
    if (token !== "expired") return token;
    await this.#siblings.markNeedsReauth(context, integration, "access token expired and there is no refresh token");
    throw new SdkError("reauth_required", `The ${this.id} access token expired and cannot be refreshed: the user must connect again.`, {
      details: { provider: this.id, integration_id: integration.id },
    });
  }

  /** `sdk.refreshDue`: refreshes each chain that is due (see refresh-due.ts) under the refresh lock. */
  async refreshDue(context: ProviderContext, integration: Integration, options: { withinMs: number }): Promise<RefreshDueOutcome> {
    await this.#ready(context);
    return this.#refresh.refreshDue(this.#oauth(context), integration, options);
  }

  /** `sdk.describeCredentials`: non-secret facts per token chain (describe-oauth-credentials.ts). */
  describeCredentials(context: ProviderContext, integration: Integration): Promise<TokenChainView[]> {
    return describeOAuthChains(context, integration, {
      chains: this.#credentials.chains,
      rotationPending: async (record, chain, stored) =>
        (await new RotationJournal(context, context.requireCache(), this.#siblings.lockKey(record, chain)).pendingFor(stored)) !== undefined,
    });
  }

  // ---- revocation (revocation.ts) --------------------------------------------------------------------------

  /** Drops the cached access tokens (only a still-cached `rejectedAccessToken`); with `deleted`, the rotation journal too. */
  invalidate(context: ProviderContext, integration: Integration, options: { rejectedAccessToken?: string; deleted?: boolean } = {}): Promise<void> {
    return this.#revocation.invalidate(this.#oauth(context), integration, options);
  }
}
