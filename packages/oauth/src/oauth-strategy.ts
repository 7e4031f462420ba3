// OAuthStrategy is the ProviderDefinition every OAuth provider runs on: install URL with signed state and PKCE,
// callback verification and code exchange, and the refresh protocol of DESIGN section 7 (cache first, in-process
// single flight, cross-process lease lock, compare-and-set write of rotated refresh tokens, needs_reauth).
// Provider packages only add facts and hooks (OAuthProviderOptions); nothing provider-specific lives here.
import {
  SdkError,
  internalKey,
  isEnvelope,
  parseInput,
  refreshLockKey,
  scopeSchema,
  urlSchema,
  type AuthType,
  type CacheStore,
  type ConfirmPendingInstallInput,
  type PendingInstall,
  type PendingInstallLookup,
  type InstallCallbackInput,
  type InstallCallbackResult,
  type InstallUrlInput,
  type InstallUrlResult,
  type Integration,
  type IntegrationDraft,
  type IntegrationIdentity,
  type PreparedConnection,
  type ProviderContext,
  type ProviderDefinition,
  type Runtime,
  type RefreshDueOutcome,
  type SiteSelectionInput,
} from "@sdk/core";
import { createHash } from "node:crypto";
import { z } from "zod";
import { cacheCipher } from "./cache-cipher.js";
import { providerErrorCode } from "./provider-error-code.js";
import { DEFAULT_RESPONSE_LIMITS, limitExceeded } from "./read-bounded-body.js";
import { createBrowserBinding, signState, stateError, verifyState, type StatePayload } from "./install-state.js";
import type { ChainTokens, OAuthProviderOptions } from "./oauth-provider-options.js";
import { PendingInstallStore, pendingInstallError, type PendingGrant } from "./pending-install-store.js";
import { createPkcePair } from "./pkce.js";
import { refreshChainIfDue } from "./refresh-due.js";
import { withRefreshLock, type LockHold } from "./refresh-lock.js";
import { isFresh, storeCachedToken, tokenCodec, tokenKey, type CachedToken } from "./token-cache.js";
import { TokenClient } from "./token-client.js";
import { parseRfcTokenResponse, type TokenFields } from "./token-response.js";

const FAILURE_MEMORY_MS = 2000;
const JOURNAL_TTL_MS = 7 * 24 * 3600 * 1000;

/** A refresh token's SHA-256, so the journal can name the token it replaces without holding it. */
function fingerprint(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

type CredentialChange = { credentials: Record<string, unknown> } | undefined;

/** Whether a credential field holds a value, without reading (so decrypting) it when it is still sealed. */
function hasCredential(credentials: Record<string, unknown>, field: string): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(credentials, field);
  if (!descriptor) return false;
  return descriptor.get ? true : Boolean(descriptor.value);
}

/** Credential field names of one chain ("" is the primary chain). */
export function chainFields(chain: string) {
  const prefix = chain ? `${chain}_` : "";
  return {
    refresh: `${prefix}refresh_token`,
    access: `${prefix}access_token`,
    expiresAt: `${prefix}access_token_expires_at`,
    tokenType: `${prefix}token_type`,
    scopes: `${prefix}scopes`,
  };
}

const optionsSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  redirectUri: urlSchema,
  authorizeUrl: urlSchema,
  revokeUrl: urlSchema.optional(),
  scopes: z.array(scopeSchema).optional(),
  defaultExpiresInSeconds: z.number().int().positive().optional(),
  skewSeconds: z.number().int().nonnegative().optional(),
  issuer: z.string().min(1).max(2048).optional(),
  authorizationResponseIssParameterSupported: z.boolean().optional(),
  timeoutMs: z.number().int().positive().optional(),
  lockLeaseMs: z.number().int().positive().optional(),
  refreshTokenIdleMs: z.number().int().positive().optional(),
  chains: z.array(z.string().regex(/^[a-z][a-z0-9]*$/)).optional(),
}).refine((options) => !options.authorizationResponseIssParameterSupported || options.issuer !== undefined, {
  message: "is required when authorizationResponseIssParameterSupported is true",
  path: ["issuer"],
});

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
  readonly #clientSecret: string;
  readonly #pending?: PendingInstallStore;
  readonly #chains: string[];
  readonly #inflight = new Map<string, Promise<CachedToken>>();
  readonly #credentialsSchema: z.ZodType<Record<string, unknown>>;
  #client?: { fetch: typeof globalThis.fetch; client: TokenClient; noTimeoutRetry: TokenClient };

  constructor(options: OAuthProviderOptions) {
    const checked = optionsSchema.safeParse(options);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw new SdkError("misconfigured", `OAuth provider option "${issue.path.join(".")}" is invalid: ${issue.message}`, { details: { field: issue.path.join(".") } });
    }
    const { clientSecret, ...visible } = options;
    this.options = visible;
    this.#clientSecret = clientSecret;
    this.id = options.id;
    if (options.family) this.family = options.family;
    this.#chains = ["", ...(options.chains ?? [])];
    const shape: Record<string, z.ZodType> = {};
    for (const chain of this.#chains) {
      const fields = chainFields(chain);
      shape[fields.refresh] = z.string().min(1).max(16_384).optional();
      shape[fields.access] = z.string().min(1).max(16_384).optional();
      shape[fields.expiresAt] = z.number().nullable().optional();
      shape[fields.tokenType] = z.string().max(64).optional();
      shape[fields.scopes] = z.array(z.string().max(512)).max(500).optional();
    }
    this.#credentialsSchema = z.strictObject(shape).refine(
      (credentials) => this.#chains.some((chain) => credentials[chainFields(chain).refresh] || credentials[chainFields(chain).access]),
      "must hold a refresh_token or an access_token",
    ) as unknown as z.ZodType<Record<string, unknown>>;
    if (options.completeSiteSelection) this.completeSiteSelection = options.completeSiteSelection;
    if (options.rejectsCredentials) this.rejectsCredentials = options.rejectsCredentials;
    if (options.refreshCannotCure) this.refreshCannotCure = options.refreshCannotCure;
    if (options.pendingInstall) {
      const store = new PendingInstallStore(options.id, options.pendingInstall.ttlSeconds ?? 600);
      this.#pending = store;
      this.getPendingInstall = (context, input) => store.describe(context, input.pending_install_id, input.browser_binding);
      this.confirmPendingInstall = async (context, input) => {
        const grant = await store.confirm(context, input.pending_install_id, input.browser_binding);
        return { integration: this.#pendingDraft(grant, input.account_id, input.created_by ?? input.user_id) };
      };
    }
    if (options.revokeUrl || options.revoke) this.revoke = (context, integration) => this.#revoke(context, integration);
  }

  /** For `sdk.checkHealth()`: the fixed endpoints whose hosts must resolve (a per-installation token URL is left out). */
  endpoints(): string[] {
    const { authorizeUrl, tokenUrl, revokeUrl } = this.options;
    return [authorizeUrl, ...(typeof tokenUrl === "string" ? [tokenUrl] : []), ...(revokeUrl ? [revokeUrl] : [])];
  }

  /**
   * RFC 9207 section 2.4: with a known issuer, the response's `iss` must equal it (simple string comparison), and must be
   * there when the server says it always sends it. Checked first, for error responses too, before anything is used.
   */
  #checkIssuer(context: ProviderContext, input: InstallCallbackInput): void {
    const expected = this.options.issuer;
    if (expected === undefined) return;
    const given = typeof input.iss === "string" ? input.iss : undefined;
    if (given === expected || (given === undefined && !this.options.authorizationResponseIssParameterSupported)) return;
    context.events.emit("state.rejected", { provider: this.id, code: "issuer_mismatch" });
    throw new SdkError(
      "issuer_mismatch",
      given === undefined
        ? `The ${this.id} callback carries no "iss" although the server always sends it (RFC 9207): the response may come from another server. Start the install again.`
        : `The ${this.id} callback's "iss" is not the configured issuer (RFC 9207 mix-up defence): the response comes from another authorization server. Start the install again.`,
      { details: { provider: this.id, field: "handleInstallCallback.iss", reason: given === undefined ? "missing" : "different" } },
    );
  }

  get #skewMs(): number {
    return (this.options.skewSeconds ?? 60) * 1000;
  }

  /** The token client bound to the SDK's fetch (created on first use so `createSDK({ fetch })` is honoured). */
  tokenClient(context: ProviderContext, options: { retryOnTimeout?: boolean } = {}): TokenClient {
    if (!this.#client || this.#client.fetch !== context.fetch) {
      const base = {
        provider: this.id,
        fetch: context.fetch,
        clientId: this.options.clientId,
        clientSecret: this.#clientSecret,
        clientAuth: this.options.clientAuth ?? "client_secret_basic",
        format: this.options.tokenRequestFormat ?? "form",
        timeoutMs: this.options.timeoutMs ?? 10_000,
        ...(this.options.retry ? { retry: this.options.retry } : {}),
        ...(this.options.mapError ? { mapError: this.options.mapError } : {}),
        ...(this.options.responseLimits ? { limits: this.options.responseLimits } : {}),
      };
      this.#client = {
        fetch: context.fetch,
        client: new TokenClient(base),
        noTimeoutRetry: new TokenClient({ ...base, retryOnTimeout: false }),
      };
    }
    return options.retryOnTimeout === false ? this.#client.noTimeoutRetry : this.#client.client;
  }

  parseCredentials(credentials: unknown, field: string): Record<string, unknown> {
    return parseInput(this.#credentialsSchema, credentials, field);
  }

  parseMetadata(metadata: Record<string, unknown>, field: string): Record<string, unknown> {
    return this.options.parseMetadata ? this.options.parseMetadata(metadata, field) : metadata;
  }

  naturalKey(draft: { metadata: Record<string, unknown>; credentials: Record<string, unknown> }): string | null {
    return this.options.naturalKey ? this.options.naturalKey(draft) : null;
  }

  // ---- install ---------------------------------------------------------------------------------------------

  async buildInstallUrl(context: ProviderContext, input: InstallUrlInput): Promise<InstallUrlResult> {
    const cache = context.requireCache();
    let accountId = input.account_id;
    let createdBy = input.created_by;
    if (!accountId && this.options.identityResolver) {
      const identity = await this.options.identityResolver(input.user_id);
      accountId = parseInput(z.string().min(1).max(256), identity?.account_id, "identityResolver.account_id");
      createdBy ??= identity.created_by;
    }
    if (!accountId) {
      throw new SdkError("validation_failed", `"buildInstallUrl.account_id" is required (or configure identityResolver for ${this.id}).`, {
        details: { field: "buildInstallUrl.account_id" },
      });
    }
    const extra = this.options.installContext ? await this.options.installContext(context, { ...input, account_id: accountId }) : {};
    const scopes = [...new Set([...(this.options.scopes ?? []), ...(input.scopes ?? []), ...(extra.scopes ?? [])])];
    const bindingOn = context.state.browserBinding === "required";
    const browserBinding = bindingOn ? (input.browser_binding ?? createBrowserBinding()) : null;
    const { state, payload } = signState(context.state, context.now(), {
      provider: this.id,
      user_id: input.user_id,
      account_id: accountId,
      created_by: createdBy ?? input.user_id,
      browserBinding,
      ctx: { scopes, ...extra.ctx },
    });
    let codeChallenge: string | undefined;
    if (this.options.pkce ?? true) {
      const pair = createPkcePair();
      codeChallenge = pair.challenge;
      await cache.set(internalKey(context.keyPrefix, "pkce", payload.nonce), pair.verifier, context.state.ttlSeconds * 1000);
    }
    const url = this.options.buildAuthorizeUrl
      ? this.options.buildAuthorizeUrl({ state, scopes, input, ...(codeChallenge ? { codeChallenge } : {}) })
      : this.#authorizeUrl(state, scopes, input, codeChallenge);
    return {
      url,
      state,
      browser_binding: browserBinding ?? "",
      expires_at: new Date(payload.exp * 1000).toISOString(),
    };
  }

  #authorizeUrl(state: string, scopes: string[], input: InstallUrlInput, codeChallenge: string | undefined): string {
    const url = new URL(this.options.authorizeUrl);
    const params = url.searchParams;
    params.set("response_type", "code");
    params.set("client_id", this.options.clientId);
    params.set("redirect_uri", this.options.redirectUri);
    if (scopes.length > 0) params.set(this.options.scopeParam ?? "scope", scopes.join(this.options.scopeSeparator ?? " "));
    params.set("state", state);
    if (codeChallenge) {
      params.set("code_challenge", codeChallenge);
      params.set("code_challenge_method", "S256");
    }
    for (const [name, value] of Object.entries({ ...this.options.authorizeParams, ...this.options.authorizeQuery?.(input, scopes) })) params.set(name, value);
    return url.toString();
  }

  async handleInstallCallback(context: ProviderContext, input: InstallCallbackInput): Promise<InstallCallbackResult> {
    const cache = context.requireCache();
    this.#checkIssuer(context, input);
    if (input.error) {
      const providerError = providerErrorCode(input.error) ?? "unknown";
      throw new SdkError("authorization_denied", `The user or ${this.id} refused the authorization (${providerError}).`, {
        details: { provider: this.id, provider_error: providerError },
      });
    }
    if (this.#pending && !input.state && input.code) {
      // An install the service did not start: parked for a user's confirmation, never a connection by itself.
      const pending = await this.parkPendingInstall(context, input, "callback");
      throw new SdkError("install_confirmation_required", `This ${this.id} install was not started here: show the signed-in user what was granted and call confirmPendingInstall from their same-origin POST.`, {
        details: { ...pending },
      });
    }
    let payload: StatePayload;
    try {
      payload = verifyState(context.state, { state: input.state, provider: this.id, browserBinding: input.browser_binding, nowMs: context.now() });
    } catch (error) {
      if (SdkError.is(error)) context.events.emit("state.rejected", { provider: this.id, code: error.code });
      throw error;
    }
    if (!input.code) {
      throw new SdkError("validation_failed", `"handleInstallCallback.code" is required.`, { details: { field: "handleInstallCallback.code" } });
    }
    const remainingMs = Math.max(1000, payload.exp * 1000 - context.now() + 60_000);
    if (!(await cache.setIfAbsent(internalKey(context.keyPrefix, "state", payload.nonce), "used", remainingMs))) {
      context.events.emit("state.rejected", { provider: this.id, code: "state_replayed" });
      throw stateError("state_replayed", this.id);
    }
    let verifier: string | undefined;
    if (this.options.pkce ?? true) {
      const key = internalKey(context.keyPrefix, "pkce", payload.nonce);
      verifier = await cache.get(key);
      await cache.delete(key);
      if (!verifier) throw stateError("state_expired", this.id);
    }
    if (this.#pending) {
      // The provider's webhook may have parked this very code already (Sentry sends `installation.created` with it):
      // the signed state names the account, so that grant is taken for it instead of exchanging the code twice.
      const earlier = await this.#pending.reserveCode(context, input.code, { kind: "signed" });
      if (earlier?.kind === "pending") {
        const grant = await this.#pending.takeForSignedInstall(context, earlier.id, this.options.timeoutMs ?? 10_000);
        return { integration: this.#pendingDraft(grant, payload.account_id!, payload.created_by ?? payload.user_id) };
      }
    }
    const exchanged = await this.#exchangeCode(context, { ...input, code: input.code }, verifier);
    const requested = Array.isArray(payload.ctx.scopes) ? (payload.ctx.scopes as string[]) : [];
    let draft: IntegrationDraft = {
      provider: this.id,
      account_id: payload.account_id!,
      created_by: payload.created_by ?? payload.user_id,
      auth_type: "oauth2",
      scopes: exchanged.scopes.length > 0 ? exchanged.scopes : requested,
      credentials: exchanged.credentials,
      metadata: {},
    };
    if (this.options.buildIntegration) draft = await this.options.buildIntegration(context, { draft, tokens: exchanged.tokens, body: exchanged.body, state: payload, input });
    return { integration: draft };
  }

  async #exchangeCode(context: ProviderContext, input: InstallCallbackInput & { code: string }, verifier: string | undefined) {
    const base: Record<string, string> = { grant_type: "authorization_code", code: input.code, redirect_uri: this.options.redirectUri };
    if (verifier) base.code_verifier = verifier;
    const params = this.options.exchangeParams ? this.options.exchangeParams(input, base) : base;
    const answer = await this.tokenClient(context).post(this.#tokenUrl({ input }), params);
    const tokens = this.#parseTokens(answer.body, "authorization_code", "");
    const credentials: Record<string, unknown> = {};
    const scopes = new Set<string>();
    for (const [chain, fields] of Object.entries(tokens)) {
      Object.assign(credentials, this.#credentialsOf(chain, fields, context.now()));
      for (const scope of fields.scopes ?? []) scopes.add(scope);
    }
    return { tokens, body: answer.body, credentials, scopes: [...scopes] };
  }

  /**
   * Exchanges the code of an install the service did not start and parks the grant as a pending install. From a
   * webhook (`origin: "webhook"`) a code already seen gives undefined (nothing new); from a callback, a code a webhook
   * parked is claimed once by that browser and any other repeat is `pending_install_replayed`.
   */
  async parkPendingInstall(context: ProviderContext, input: InstallCallbackInput, origin: "callback"): Promise<PendingInstall>;
  async parkPendingInstall(context: ProviderContext, input: InstallCallbackInput, origin: "callback" | "webhook"): Promise<PendingInstall | undefined>;
  async parkPendingInstall(context: ProviderContext, input: InstallCallbackInput, origin: "callback" | "webhook"): Promise<PendingInstall | undefined> {
    const store = this.#pending;
    if (!store) throw stateError("state_missing", this.id);
    const code = input.code;
    if (!code) {
      throw new SdkError("validation_failed", `"handleInstallCallback.code" is required.`, { details: { field: "handleInstallCallback.code" } });
    }
    const id = store.newId();
    const earlier = await store.reserveCode(context, code, { kind: "pending", id });
    if (earlier) {
      if (origin === "webhook") return undefined;
      if (earlier.kind === "signed") throw pendingInstallError("pending_install_replayed", this.id);
      return store.claim(context, earlier.id, input.browser_binding, this.options.timeoutMs ?? 10_000);
    }
    try {
      const exchanged = await this.#exchangeCode(context, { ...input, code }, undefined);
      const described = await this.options.pendingInstall!.describe(context, { tokens: exchanged.tokens, body: exchanged.body, input, scopes: exchanged.scopes });
      const metadata = this.parseMetadata(described.metadata, "pendingInstall.metadata");
      return await store.park(context, {
        id,
        browserBinding: origin === "callback" ? input.browser_binding : undefined,
        origin,
        grant: described.grant,
        pending: { scopes: exchanged.scopes, credentials: exchanged.credentials, metadata },
      });
    } catch (error) {
      await store.releaseCode(context, code, { kind: "pending", id }).catch(() => undefined);
      throw error;
    }
  }

  #pendingDraft(grant: PendingGrant, accountId: string, createdBy: string): IntegrationDraft {
    return { provider: this.id, account_id: accountId, created_by: createdBy, auth_type: "oauth2", scopes: grant.scopes, credentials: grant.credentials, metadata: grant.metadata };
  }

  #tokenUrl(target: { input?: InstallCallbackInput; integration?: Integration }): string {
    return typeof this.options.tokenUrl === "function" ? this.options.tokenUrl(target) : this.options.tokenUrl;
  }

  /** Every token response of every provider, code exchange and refresh, is parsed here: the scope cap lives here too. */
  #parseTokens(body: unknown, grant: "authorization_code" | "refresh_token", chain: string): Record<string, TokenFields> {
    const tokens = this.options.parseTokenResponse ? this.options.parseTokenResponse(body, { grant, chain }) : { [chain]: parseRfcTokenResponse(this.id, body) };
    const maxScopes = this.options.responseLimits?.maxScopes ?? DEFAULT_RESPONSE_LIMITS.maxScopes;
    for (const fields of Object.values(tokens)) {
      if ((fields?.scopes?.length ?? 0) > maxScopes) throw limitExceeded(this.id, "maxScopes", maxScopes);
    }
    return tokens;
  }

  #expiresAt(fields: TokenFields, nowMs: number): number {
    if (fields.expires_at !== undefined) return fields.expires_at;
    return nowMs + (fields.expires_in ?? this.options.defaultExpiresInSeconds ?? 3600) * 1000;
  }

  /** The credential fields of one chain as a callback returns them (the access token is moved to the cache on save). */
  #credentialsOf(chain: string, fields: TokenFields, nowMs: number): Record<string, unknown> {
    const names = chainFields(chain);
    const out: Record<string, unknown> = {
      [names.access]: fields.access_token,
      [names.tokenType]: fields.token_type ?? "Bearer",
      [names.scopes]: fields.scopes ?? [],
    };
    if (fields.refresh_token) {
      out[names.refresh] = fields.refresh_token;
      out[names.expiresAt] = this.#expiresAt(fields, nowMs);
    } else {
      // A token without a refresh token is the credential itself; it expires only when the provider said so.
      out[names.expiresAt] = fields.expires_at ?? (fields.expires_in !== undefined ? nowMs + fields.expires_in * 1000 : null);
    }
    return out;
  }

  async prepareConnection(context: ProviderContext, draft: IntegrationDraft): Promise<PreparedConnection> {
    const cache = context.requireCache();
    await this.options.beforeSave?.(context, draft);
    const credentials = { ...draft.credentials };
    const toCache: Array<[string, CachedToken]> = [];
    for (const chain of this.#chains) {
      const names = chainFields(chain);
      if (!credentials[names.refresh] || typeof credentials[names.access] !== "string") continue;
      toCache.push([
        chain,
        {
          access_token: credentials[names.access] as string,
          token_type: (credentials[names.tokenType] as string | undefined) ?? "Bearer",
          expires_at: (credentials[names.expiresAt] as number | undefined) ?? context.now(),
          scopes: (credentials[names.scopes] as string[] | undefined) ?? [],
        },
      ]);
      delete credentials[names.access];
      delete credentials[names.expiresAt];
    }
    return {
      draft: { ...draft, credentials },
      afterSave: async (saved) => {
        for (const [chain, token] of toCache) await storeCachedToken(cache, tokenKey(saved, chain), token, context.now(), this.#skewMs, tokenCodec(context));
        await this.#syncSiblings(context, saved, (current) => this.#copyGrant(saved, current));
        await this.options.afterSave?.(context, saved);
      },
    };
  }

  // ---- resolve and refresh ---------------------------------------------------------------------------------

  /** The cached access token of every chain, read while core reads the record (one round trip per resolve). */
  prefetch(context: ProviderContext, integration: IntegrationIdentity): Promise<Array<string | undefined>> {
    const cache = context.requireCache();
    return Promise.all(this.#chains.map((chain) => cache.get(tokenKey(integration, chain))));
  }

  async resolve(context: ProviderContext, integration: Integration, prefetched?: Promise<unknown>): Promise<Runtime> {
    const tokens: ChainTokens = {};
    const cached = prefetched ? ((await prefetched) as Array<string | undefined>) : undefined;
    for (const [index, chain] of this.#chains.entries()) {
      const names = chainFields(chain);
      // Presence only: reading the field would decrypt a refresh token that a cache hit never needs.
      if (hasCredential(integration.credentials, names.refresh)) tokens[chain] = await this.token(context, integration, chain, cached ? { raw: cached[index] } : undefined);
      else if (typeof integration.credentials[names.access] === "string") tokens[chain] = await this.#staticToken(context, integration, chain);
    }
    const fields = this.options.runtime ? this.options.runtime(integration, tokens) : this.#defaultRuntime(tokens);
    return { provider: integration.provider, integration_id: integration.id, account_id: integration.account_id, ...fields };
  }

  #defaultRuntime(tokens: ChainTokens) {
    const primary = tokens[""] ?? Object.values(tokens)[0];
    if (!primary) throw new SdkError("reauth_required", `The ${this.id} integration holds no token.`, { details: { provider: this.id } });
    return {
      access_token: primary.access_token,
      token_type: primary.token_type,
      // A token without expiry (non-rotating) has no date to show.
      expires_at: primary.expires_at >= Number.MAX_SAFE_INTEGER ? null : new Date(primary.expires_at).toISOString(),
      scopes: primary.scopes,
      headers: { Authorization: `Bearer ${primary.access_token}` },
      ...(this.options.apiBaseUrl ? { api_base_url: this.options.apiBaseUrl } : {}),
    };
  }

  async #staticToken(context: ProviderContext, integration: Integration, chain: string): Promise<CachedToken> {
    const names = chainFields(chain);
    const expiresAt = integration.credentials[names.expiresAt];
    if (typeof expiresAt === "number" && expiresAt <= context.now()) {
      await this.#markNeedsReauth(context, integration, "access token expired and there is no refresh token");
      throw new SdkError("reauth_required", `The ${this.id} access token expired and cannot be refreshed: the user must connect again.`, {
        details: { provider: this.id, integration_id: integration.id },
      });
    }
    return {
      access_token: integration.credentials[names.access] as string,
      token_type: (integration.credentials[names.tokenType] as string | undefined) ?? "Bearer",
      expires_at: typeof expiresAt === "number" ? expiresAt : Number.MAX_SAFE_INTEGER,
      scopes: (integration.credentials[names.scopes] as string[] | undefined) ?? integration.scopes,
    };
  }

  /**
   * A fresh access token of one chain: cache first, then one refresh per expiry across every process. `read.raw` is
   * the cache value already read for this resolve (prefetch), used instead of reading it again.
   */
  async token(context: ProviderContext, integration: Integration, chain = "", read?: { raw: string | undefined }): Promise<CachedToken> {
    const cache = context.requireCache();
    const key = tokenKey(integration, chain);
    const cached = tokenCodec(context).decode(key, read ? read.raw : await cache.get(key));
    if (isFresh(cached, context.now(), this.#skewMs)) return cached;
    const running = this.#inflight.get(key);
    if (running) return running;
    const flight = this.#refreshShared(context, cache, integration, chain, key).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, flight);
    return flight;
  }

  /** `sdk.refreshDue`: refreshes each chain that is due (see refresh-due.ts) under the refresh lock. */
  async refreshDue(context: ProviderContext, integration: Integration, options: { withinMs: number }): Promise<RefreshDueOutcome> {
    const cache = context.requireCache();
    const outcomes: RefreshDueOutcome[] = [];
    for (const chain of this.#chains) {
      if (!hasCredential(integration.credentials, chainFields(chain).refresh)) continue;
      const key = tokenKey(integration, chain);
      outcomes.push(
        await refreshChainIfDue({
          cache,
          now: context.now,
          keyPrefix: context.keyPrefix,
          integration,
          chain,
          tokenKey: key,
          lockKey: this.#lockKey(integration, chain),
          codec: tokenCodec(context),
          leaseMs: this.options.lockLeaseMs ?? 45_000,
          withinMs: options.withinMs,
          idleMs: this.options.refreshTokenIdleMs,
          refresh: (hold) => this.#refreshHeld(context, cache, integration.id, chain, key, hold),
        }),
      );
    }
    return outcomes.includes("refreshed") ? "refreshed" : outcomes.includes("skipped") ? "skipped" : "not_due";
  }

  #lockKey(integration: Integration, chain: string): string {
    // Siblings share one grant, so they share one lock: never two refreshes of the same chain at once.
    if (this.options.grantSiblings && this.family) return refreshLockKey(this.family, this.options.grantLockId?.(integration) ?? "grant", integration.account_id, chain || undefined);
    return refreshLockKey(integration.provider, integration.id, integration.account_id, chain || undefined);
  }

  async #refreshShared(context: ProviderContext, cache: CacheStore, integration: Integration, chain: string, key: string): Promise<CachedToken> {
    const failureKey = internalKey(context.keyPrefix, "refresh_failed", `${integration.id}:${chain}`);
    const ready = async (): Promise<CachedToken | undefined> => {
      const token = tokenCodec(context).decode(key, await cache.get(key));
      if (isFresh(token, context.now(), this.#skewMs)) return token;
      const failure = await cache.get(failureKey);
      if (failure) throw this.#rememberedFailure(failure);
      return undefined;
    };
    const leaseMs = this.options.lockLeaseMs ?? 45_000;
    return withRefreshLock({ cache, lockKey: this.#lockKey(integration, chain), leaseMs, waitMs: leaseMs + 5000 }, ready, async (hold) => {
      try {
        return await this.#refreshHeld(context, cache, integration.id, chain, key, hold);
      } catch (error) {
        if (SdkError.is(error) && error.code !== "reauth_required") {
          await cache.set(failureKey, JSON.stringify({ code: error.code, retryable: error.retryable }), FAILURE_MEMORY_MS).catch(() => undefined);
        }
        throw error;
      }
    });
  }

  #rememberedFailure(raw: string): SdkError {
    let code: SdkError["code"] = "provider_unavailable";
    try {
      const parsed = JSON.parse(raw) as { code?: SdkError["code"] };
      if (parsed.code) code = parsed.code;
    } catch {
      // keep the default
    }
    return new SdkError(code, `A refresh of this ${this.id} token failed moments ago in another caller (${code}); retry shortly.`, { details: { provider: this.id, shared_failure: true } });
  }

  /** Step 4 of the protocol, run by the lock holder. */
  async #refreshHeld(context: ProviderContext, cache: CacheStore, integrationId: string, chain: string, key: string, hold: LockHold): Promise<CachedToken> {
    const record = await context.integrations.require(integrationId);
    const names = chainFields(chain);
    if (record.status !== "active") {
      throw new SdkError(record.status === "revoked" ? "integration_revoked" : "reauth_required", `Integration "${record.id}" is ${record.status}; the user must connect ${this.id} again.`, {
        details: { provider: this.id, integration_id: record.id },
      });
    }
    const storedRefreshToken = record.credentials[names.refresh];
    if (typeof storedRefreshToken !== "string") {
      throw new SdkError("reauth_required", `Integration "${record.id}" has no refresh token for chain "${chain || "primary"}".`, { details: { provider: this.id, integration_id: record.id } });
    }
    let refreshToken: string = storedRefreshToken;
    // Keyed by the lock, i.e. the grant: siblings sharing one rotation chain share one journal.
    const lockKey = this.#lockKey(record, chain);
    const journalKey = internalKey(context.keyPrefix, "rotation", lockKey);
    const pending = await this.#readJournal(context, cache, journalKey, lockKey);
    if (pending && pending.from === fingerprint(refreshToken)) {
      // A previous holder got a rotated token from the provider but never stored it (crash or store outage):
      // finish its write first, then refresh with the newest token the provider issued.
      const repaired = pending.to;
      const replaceStale = (current: Integration) =>
        current.credentials[names.refresh] === storedRefreshToken ? { credentials: { ...current.credentials, [names.refresh]: repaired } } : undefined;
      await this.#casUpdate(context, record.id, replaceStale);
      await this.#syncSiblings(context, record, replaceStale);
      context.logger.warn({ provider: this.id, integration_id: record.id }, "recovered a rotated refresh token that a previous refresh did not store");
      refreshToken = repaired;
    }
    let answer;
    try {
      const client = this.tokenClient(context, { retryOnTimeout: this.options.refreshReuseWindow ?? true });
      // The HTTP work ends before the lease does, leaving time to store the answer: no attempt outlives the lock.
      const leaseLeft = hold.leaseEndsAt - Date.now();
      const deadline = hold.leaseEndsAt - Math.min(2000, leaseLeft / 4);
      const classify = this.options.classifyRefreshError;
      answer = await client.post(this.#tokenUrl({ integration: record }), { grant_type: "refresh_token", refresh_token: refreshToken }, { deadline, ...(classify ? { mapError: classify } : {}) });
    } catch (error) {
      if (SdkError.is(error, "reauth_required")) {
        const providerError = typeof error.details.provider_error === "string" ? error.details.provider_error : "invalid_grant";
        await this.#markNeedsReauth(context, record, `refresh rejected: ${providerError}`, { field: names.refresh, value: refreshToken });
      }
      if (SdkError.is(error)) {
        context.events.emit("token.refresh_failed", { provider: this.id, integration_id: record.id, account_id: record.account_id, code: error.code, retryable: error.retryable, ...(chain ? { chain } : {}) });
      }
      throw error;
    }
    const fields = this.#parseTokens(answer.body, "refresh_token", chain)[chain];
    if (!fields) throw new SdkError("provider_response_invalid", `${this.id} refresh response has no token for chain "${chain || "primary"}".`, { details: { provider: this.id } });
    const now = context.now();
    const token: CachedToken = {
      access_token: fields.access_token,
      token_type: fields.token_type ?? "Bearer",
      expires_at: this.#expiresAt(fields, now),
      scopes: fields.scopes ?? ((record.credentials[names.scopes] as string[] | undefined) ?? record.scopes),
      issued_at: now,
    };
    const rotated = fields.refresh_token && fields.refresh_token !== refreshToken ? fields.refresh_token : undefined;
    const previous = refreshToken;
    let recordSaved = !rotated;
    let superseded = false;
    // Idempotent, so it can run again after a failure: every write compares before it writes.
    const finish = async () => {
      if (rotated && !recordSaved) {
        // Journal first: if this process dies before the record is written, the next lock holder finds the rotated
        // token here instead of presenting a dead one. A failed journal write does not stop the record write: the
        // store may be up while the cache is not, and the record is what counts.
        const journaled = await cache
          .set(journalKey, JSON.stringify(cacheCipher(context).encrypt(lockKey, "rotation", { from: fingerprint(previous), to: rotated })), JOURNAL_TTL_MS)
          .then(() => true, () => false);
        // Only records still holding the token that was rotated are moved on: one that a re-install gave a new grant
        // meanwhile keeps it, and then so do its siblings (the re-install syncs them), and the old chain's access
        // token is not cached over the new one.
        const replaceRotated = (current: Integration) =>
          current.credentials[names.refresh] === previous ? { credentials: { ...current.credentials, [names.refresh]: rotated } } : undefined;
        const stored = await this.#casUpdate(context, record.id, replaceRotated);
        if (stored === "skipped") {
          const now = await context.integrations.get(record.id);
          superseded = now?.credentials[names.refresh] !== rotated;
        }
        if (!superseded) await this.#syncSiblings(context, record, replaceRotated);
        recordSaved = true;
        // A journal entry left behind is harmless: its `from` no longer matches the stored token.
        if (journaled) await cache.delete(journalKey).catch(() => undefined);
      }
      if (superseded) return;
      await storeCachedToken(cache, key, token, now, this.#skewMs, tokenCodec(context));
      context.events.emit("token.refreshed", { provider: this.id, integration_id: record.id, account_id: record.account_id, expires_at: new Date(token.expires_at).toISOString(), ...(chain ? { chain } : {}) });
    };
    try {
      await finish();
      if (!superseded && this.options.afterRefresh) {
        await this.options.afterRefresh(context, record, token).catch((error: unknown) => {
          context.logger.warn({ provider: this.id, integration_id: record.id, error_code: SdkError.is(error) ? error.code : "unknown" }, "post-refresh step failed; the refreshed token is stored");
        });
      }
    } catch (error) {
      // The provider rotated, and the new refresh token is only in this process: the callers get the (retryable)
      // error now, and the lock stays held while the write is retried until shortly before the lease ends.
      if (!recordSaved && SdkError.is(error) && error.retryable) hold.keepUntil(this.#keepSaving(context, record, finish, hold.leaseEndsAt));
      throw error;
    }
    return token;
  }

  /** Retries `finish` (store a rotated refresh token) with backoff while the lease lasts; logs when it could not. */
  async #keepSaving(context: ProviderContext, record: Integration, finish: () => Promise<void>, leaseEndsAt: number): Promise<void> {
    const where = { provider: this.id, integration_id: record.id };
    // Stop with time to spare: a write still running when the lease ends could race the next holder.
    const stopAt = leaseEndsAt - Math.min(1000, (leaseEndsAt - Date.now()) / 4);
    for (let delay = 50; Date.now() + delay < stopAt; delay = Math.min(delay * 2, 1000)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        await finish();
        context.logger.warn(where, "stored a rotated refresh token after the store or cache came back");
        return;
      } catch (error) {
        if (!SdkError.is(error) || !error.retryable) break;
      }
    }
    context.logger.error(where, "could not store a rotated refresh token before the refresh lock's lease ended; the next refresh presents the previous one, which works only within the provider's reuse window");
  }

  async #readJournal(context: ProviderContext, cache: CacheStore, key: string, aad: string): Promise<{ from: string; to: string } | undefined> {
    const raw = await cache.get(key);
    if (raw === undefined) return undefined;
    try {
      const envelope = JSON.parse(raw) as unknown;
      // Only what this SDK sealed: a plain value planted in the cache must never become a refresh token.
      if (!isEnvelope(envelope)) return undefined;
      const entry = cacheCipher(context).decrypt(aad, "rotation", envelope) as { from?: unknown; to?: unknown };
      return typeof entry?.from === "string" && typeof entry.to === "string" ? { from: entry.from, to: entry.to } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Compare-and-set with re-read on conflict; `change` returns undefined when nothing needs writing. */
  async #casUpdate(context: ProviderContext, id: string, change: (current: Integration) => Parameters<ProviderContext["integrations"]["update"]>[1] | undefined): Promise<"written" | "skipped"> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await context.integrations.get(id);
      if (!current) return "skipped";
      const changes = change(current);
      if (!changes) return "skipped";
      try {
        await context.integrations.update(current, changes);
        return "written";
      } catch (error) {
        // Deleted between the read and the write (a concurrent deleteConnection): there is nothing left to store, and
        // the caller goes on to its clean-up (the rotation journal) as for any skipped write.
        if (SdkError.is(error, "integration_not_found")) return "skipped";
        if (!SdkError.is(error, "integration_conflict")) throw error;
      }
    }
    throw new SdkError("integration_conflict", `Integration "${id}" kept changing during the write; retry.`, { details: { integration_id: id } });
  }

  #copyGrant(source: Integration, target: Integration): CredentialChange {
    const credentials = { ...target.credentials };
    let changed = false;
    for (const chain of this.#chains) {
      const names = chainFields(chain);
      if (source.credentials[names.refresh] && source.credentials[names.refresh] !== credentials[names.refresh]) {
        credentials[names.refresh] = source.credentials[names.refresh];
        changed = true;
      }
    }
    return changed ? { credentials } : undefined;
  }

  async #syncSiblings(context: ProviderContext, integration: Integration, change: (sibling: Integration) => CredentialChange): Promise<void> {
    if (!this.options.grantSiblings) return;
    const siblings = await this.options.grantSiblings(context, integration);
    for (const sibling of siblings) {
      if (sibling.id !== integration.id) await this.#casUpdate(context, sibling.id, change);
    }
  }

  /**
   * Marks the integration and its grant siblings `needs_reauth`. With `rejected`, nothing is marked when the record
   * no longer holds the rejected refresh token: a re-install stored (and synced to siblings) a new grant meanwhile.
   * Otherwise the grant is gone for every sibling that shares it (Atlassian revokes the whole family).
   */
  async #markNeedsReauth(context: ProviderContext, integration: Integration, reason: string, rejected?: { field: string; value: string }): Promise<void> {
    if (rejected) {
      const current = await context.integrations.get(integration.id);
      if (!current || current.credentials[rejected.field] !== rejected.value) return;
    }
    const targets = [integration, ...(this.options.grantSiblings ? (await this.options.grantSiblings(context, integration)).filter((item) => item.id !== integration.id) : [])];
    for (const target of targets) {
      let marked = false;
      await this.#casUpdate(context, target.id, (current) => {
        marked = current.status === "active";
        return marked ? { status: "needs_reauth" } : undefined;
      });
      if (!marked) continue;
      await this.invalidate(context, target);
      context.events.emit("connection.needs_reauth", { provider: target.provider, integration_id: target.id, account_id: target.account_id, reason });
    }
  }

  async invalidate(context: ProviderContext, integration: Integration, options: { rejectedAccessToken?: string } = {}): Promise<void> {
    const cache = context.requireCache();
    for (const chain of this.#chains) {
      const key = tokenKey(integration, chain);
      if (options.rejectedAccessToken === undefined) {
        await cache.delete(key);
        continue;
      }
      const raw = await cache.get(key);
      if (raw !== undefined && tokenCodec(context).decode(key, raw)?.access_token === options.rejectedAccessToken) await cache.deleteIfEquals(key, raw);
    }
  }

  async #revoke(context: ProviderContext, integration: Integration): Promise<void> {
    const client = this.tokenClient(context);
    if (this.options.revoke) {
      await this.options.revoke(context, integration, { send: (url, init) => client.send(url, init) });
      return;
    }
    for (const chain of this.#chains) {
      const names = chainFields(chain);
      const value = integration.credentials[names.refresh] ?? integration.credentials[names.access];
      if (typeof value !== "string") continue;
      await client.post(this.options.revokeUrl!, { token: value, token_type_hint: integration.credentials[names.refresh] ? "refresh_token" : "access_token" });
    }
  }
}
