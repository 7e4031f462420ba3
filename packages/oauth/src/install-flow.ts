// The install flow: the authorize URL with signed state and PKCE, the callback (issuer, state checks in their fixed
// order, single-use nonce, PKCE verifier), the code exchange, and installs the service did not start (pending
// installs). It stores nothing but the PKCE verifier, the used nonce and parked grants: createConnection saves.
import {
  SdkError,
  type ConfirmPendingInstallInput,
  type InstallCallbackResult,
  type InstallUrlResult,
  type IntegrationDraft,
  type PendingInstall,
  type PendingInstallLookup,
} from "@sdk/core";
import { internalKey, lazySchema, parseInput, type InstallCallbackInput, type InstallUrlInput } from "@sdk/core/provider-kit";
import type { ChainCredentials } from "./chain-credentials.js";
import { createBrowserBinding, signState, stateError, verifyState, type StatePayload } from "./install-state.js";
import type { EngineSettings } from "./oauth-provider-options.js";
import { PendingInstallStore, pendingInstallError, type PendingGrant } from "./pending-install-store.js";
import { createPkcePair } from "./pkce.js";
import { providerErrorCode } from "./provider-error-code.js";
import type { TokenEndpoint } from "./token-endpoint.js";
import type { OAuthContext } from "./oauth-engine.js";

const resolvedAccountIdSchema = lazySchema((z) => z.string().min(1).max(256));

type InstallOptions = Omit<EngineSettings, "clientSecret">;

export class InstallFlow {
  readonly #options: InstallOptions;
  readonly #endpoint: TokenEndpoint;
  readonly #credentials: ChainCredentials;
  readonly #pending?: PendingInstallStore;

  constructor(options: InstallOptions, parts: { endpoint: TokenEndpoint; credentials: ChainCredentials }) {
    this.#options = options;
    this.#endpoint = parts.endpoint;
    this.#credentials = parts.credentials;
    if (options.pendingInstall) this.#pending = new PendingInstallStore(options.id, options.pendingInstall.ttlSeconds ?? 600);
  }

  /** Whether installs the service did not start are parked for confirmation (the provider's `pendingInstall` hook). */
  get acceptsPendingInstalls(): boolean {
    return this.#pending !== undefined;
  }

  /** `sdk.getPendingInstall`: what a parked install granted (no secret). */
  getPendingInstall(context: OAuthContext, input: PendingInstallLookup): Promise<PendingInstall> {
    return this.#pendingStore().describe(context, input.pending_install_id, input.browser_binding);
  }

  /** `sdk.confirmPendingInstall`: takes a parked install, once, for the given account and user. */
  async confirmPendingInstall(context: OAuthContext, input: ConfirmPendingInstallInput): Promise<InstallCallbackResult> {
    const grant = await this.#pendingStore().confirm(context, input.pending_install_id, input.browser_binding);
    return { integration: this.#pendingDraft(grant, input.account_id, input.created_by ?? input.user_id) };
  }

  #pendingStore(): PendingInstallStore {
    if (!this.#pending) throw stateError("state_missing", this.#options.id);
    return this.#pending;
  }

  /**
   * RFC 9207 section 2.4: with a known issuer, the response's `iss` must equal it (simple string comparison), and must be
   * there when the server says it always sends it. Checked first, for error responses too, before anything is used.
   */
  #checkIssuer(context: OAuthContext, input: InstallCallbackInput): void {
    const expected = this.#options.issuer;
    if (expected === undefined) return;
    const given = typeof input.iss === "string" ? input.iss : undefined;
    if (given === expected || (given === undefined && !this.#options.authorizationResponseIssParameterSupported)) return;
    context.events.emit("state.rejected", { provider: this.#options.id, code: "issuer_mismatch" });
    throw new SdkError(
      "issuer_mismatch",
      given === undefined
        ? `The ${this.#options.id} callback carries no "iss" although the server always sends it (RFC 9207): the response may come from another server. Start the install again.`
        : `The ${this.#options.id} callback's "iss" is not the configured issuer (RFC 9207 mix-up defence): the response comes from another authorization server. Start the install again.`,
      { details: { provider: this.#options.id, field: "handleInstallCallback.iss", reason: given === undefined ? "missing" : "different" } },
    );
  }

  async buildInstallUrl(context: OAuthContext, input: InstallUrlInput): Promise<InstallUrlResult> {
    const cache = context.requireCache();
    let accountId = input.account_id;
    let createdBy = input.created_by;
    if (!accountId && this.#options.identityResolver) {
      const identity = await this.#options.identityResolver(input.user_id);
      accountId = parseInput(resolvedAccountIdSchema(), identity?.account_id, "identityResolver.account_id");
      createdBy ??= identity.created_by;
    }
    if (!accountId) {
      throw new SdkError("validation_failed", `"buildInstallUrl.account_id" is required (or configure identityResolver for ${this.#options.id}).`, {
        details: { field: "buildInstallUrl.account_id" },
      });
    }
    const extra = this.#options.installContext ? await this.#options.installContext(context, { ...input, account_id: accountId }) : {};
    const scopes = [...new Set([...(this.#options.scopes ?? []), ...(input.scopes ?? []), ...(extra.scopes ?? [])])];
    const bindingOn = context.state.browserBinding === "required";
    const browserBinding = bindingOn ? (input.browser_binding ?? createBrowserBinding()) : null;
    const { state, payload } = signState(context.state, context.now(), {
      provider: this.#options.id,
      user_id: input.user_id,
      account_id: accountId,
      created_by: createdBy ?? input.user_id,
      browserBinding,
      ctx: { scopes, ...extra.ctx },
    });
    let codeChallenge: string | undefined;
    if (this.#options.pkce ?? true) {
      const pair = createPkcePair();
      codeChallenge = pair.challenge;
      await cache.set(internalKey(context.keyPrefix, "pkce", payload.nonce), pair.verifier, context.state.ttlSeconds * 1000);
    }
    const url = this.#options.buildAuthorizeUrl
      ? this.#options.buildAuthorizeUrl({ state, scopes, input, ...(codeChallenge ? { codeChallenge } : {}) })
      : this.#authorizeUrl(state, scopes, input, codeChallenge);
    return {
      url,
      state,
      browser_binding: browserBinding ?? "",
      expires_at: new Date(payload.exp * 1000).toISOString(),
    };
  }

  #authorizeUrl(state: string, scopes: string[], input: InstallUrlInput, codeChallenge: string | undefined): string {
    // Given, or filled from the server's metadata before any install starts (OAuthStrategy awaits discovery first).
    const url = new URL(this.#options.authorizeUrl!);
    const params = url.searchParams;
    params.set("response_type", "code");
    params.set("client_id", this.#options.clientId);
    params.set("redirect_uri", this.#options.redirectUri);
    if (scopes.length > 0) params.set(this.#options.scopeParam ?? "scope", scopes.join(this.#options.scopeSeparator ?? " "));
    params.set("state", state);
    if (codeChallenge) {
      params.set("code_challenge", codeChallenge);
      params.set("code_challenge_method", "S256");
    }
    for (const [name, value] of Object.entries({ ...this.#options.authorizeParams, ...this.#options.authorizeQuery?.(input, scopes) })) params.set(name, value);
    return url.toString();
  }

  async handleInstallCallback(context: OAuthContext, input: InstallCallbackInput): Promise<InstallCallbackResult> {
    this.#options.validateCallback?.(context, input);
    const cache = context.requireCache();
    this.#checkIssuer(context, input);
    if (input.error) {
      const providerError = providerErrorCode(input.error) ?? "unknown";
      throw new SdkError("authorization_denied", `The user or ${this.#options.id} refused the authorization (${providerError}).`, {
        details: { provider: this.#options.id, provider_error: providerError },
      });
    }
    if (this.#pending && !input.state && input.code) {
      // An install the service did not start: parked for a user's confirmation, never a connection by itself.
      const pending = await this.parkPendingInstall(context, input, "callback");
      throw new SdkError("install_confirmation_required", `This ${this.#options.id} install was not started here: show the signed-in user what was granted and call confirmPendingInstall from their same-origin POST.`, {
        details: { ...pending },
      });
    }
    let payload: StatePayload;
    try {
      payload = verifyState(context.state, { state: input.state, provider: this.#options.id, browserBinding: input.browser_binding, nowMs: context.now() });
    } catch (error) {
      if (SdkError.is(error)) context.events.emit("state.rejected", { provider: this.#options.id, code: error.code });
      throw error;
    }
    if (!input.code) {
      throw new SdkError("validation_failed", `"handleInstallCallback.code" is required.`, { details: { field: "handleInstallCallback.code" } });
    }
    const remainingMs = Math.max(1000, payload.exp * 1000 - context.now() + 60_000);
    if (!(await cache.setIfAbsent(internalKey(context.keyPrefix, "state", payload.nonce), "used", remainingMs))) {
      context.events.emit("state.rejected", { provider: this.#options.id, code: "state_replayed" });
      throw stateError("state_replayed", this.#options.id);
    }
    let verifier: string | undefined;
    if (this.#options.pkce ?? true) {
      const key = internalKey(context.keyPrefix, "pkce", payload.nonce);
      verifier = await cache.get(key);
      await cache.delete(key);
      if (!verifier) throw stateError("state_expired", this.#options.id);
    }
    if (this.#pending) {
      // The provider's webhook may have parked this very code already (Sentry sends `installation.created` with it):
      // the signed state names the account, so that grant is taken for it instead of exchanging the code twice.
      const earlier = await this.#pending.reserveCode(context, input.code, { kind: "signed" });
      if (earlier?.kind === "pending") {
        const grant = await this.#pending.takeForSignedInstall(context, earlier.id, this.#options.timeoutMs ?? 10_000);
        return { integration: this.#pendingDraft(grant, payload.account_id!, payload.created_by ?? payload.user_id) };
      }
    }
    const exchanged = await this.#exchangeCode(context, { ...input, code: input.code }, verifier);
    const requested = Array.isArray(payload.ctx.scopes) ? (payload.ctx.scopes as string[]) : [];
    let draft: IntegrationDraft = {
      provider: this.#options.id,
      account_id: payload.account_id!,
      created_by: payload.created_by ?? payload.user_id,
      auth_type: "oauth2",
      scopes: exchanged.scopes.length > 0 ? exchanged.scopes : requested,
      credentials: exchanged.credentials,
      metadata: {},
    };
    if (this.#options.buildIntegration) draft = await this.#options.buildIntegration(context, { draft, tokens: exchanged.tokens, body: exchanged.body, state: payload, input });
    return { integration: draft };
  }

  async #exchangeCode(context: OAuthContext, input: InstallCallbackInput & { code: string }, verifier: string | undefined) {
    const base: Record<string, string> = { grant_type: "authorization_code", code: input.code, redirect_uri: this.#options.redirectUri };
    if (verifier) base.code_verifier = verifier;
    const params = this.#options.exchangeParams ? this.#options.exchangeParams(input, base) : base;
    const answer = await this.#endpoint.client(context).post(this.#endpoint.url({ input }), params);
    const tokens = this.#endpoint.parse(answer.body, "authorization_code", "");
    const credentials: Record<string, unknown> = {};
    const scopes = new Set<string>();
    for (const [chain, fields] of Object.entries(tokens)) {
      Object.assign(credentials, this.#credentials.fromAnswer(chain, fields, context.now()));
      for (const scope of fields.scopes ?? []) scopes.add(scope);
    }
    return { tokens, body: answer.body, credentials, scopes: [...scopes] };
  }

  /**
   * Exchanges the code of an install the service did not start and parks the grant as a pending install. From a
   * webhook (`origin: "webhook"`) a code already seen gives undefined (nothing new); from a callback, a code a webhook
   * parked is claimed once by that browser and any other repeat is `pending_install_replayed`.
   */
  async parkPendingInstall(context: OAuthContext, input: InstallCallbackInput, origin: "callback"): Promise<PendingInstall>;
  async parkPendingInstall(context: OAuthContext, input: InstallCallbackInput, origin: "callback" | "webhook"): Promise<PendingInstall | undefined>;
  async parkPendingInstall(context: OAuthContext, input: InstallCallbackInput, origin: "callback" | "webhook"): Promise<PendingInstall | undefined> {
    const store = this.#pendingStore();
    const code = input.code;
    if (!code) {
      throw new SdkError("validation_failed", `"handleInstallCallback.code" is required.`, { details: { field: "handleInstallCallback.code" } });
    }
    const id = store.newId();
    const earlier = await store.reserveCode(context, code, { kind: "pending", id });
    if (earlier) {
      if (origin === "webhook") return undefined;
      if (earlier.kind === "signed") throw pendingInstallError("pending_install_replayed", this.#options.id);
      return store.claim(context, earlier.id, input.browser_binding, this.#options.timeoutMs ?? 10_000);
    }
    try {
      const exchanged = await this.#exchangeCode(context, { ...input, code }, undefined);
      const described = await this.#options.pendingInstall!.describe(context, { tokens: exchanged.tokens, body: exchanged.body, input, scopes: exchanged.scopes });
      const metadata = this.#options.parseMetadata ? this.#options.parseMetadata(described.metadata, "pendingInstall.metadata") : described.metadata;
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
    return { provider: this.#options.id, account_id: accountId, created_by: createdBy, auth_type: "oauth2", scopes: grant.scopes, credentials: grant.credentials, metadata: grant.metadata };
  }
}
