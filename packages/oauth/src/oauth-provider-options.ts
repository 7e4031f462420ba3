// Options of `defineOAuthProvider`: the endpoint facts of any RFC 6749 provider, plus the hooks through which
// provider packages (Atlassian, Slack, Sentry) add their quirks without re-implementing the engine.
import type { InstallCallbackResult, Integration, IntegrationDraft, ProviderDefinition, WebhookInput, WebhookResult } from "@sdk/core";
import type { InstallCallbackInput, InstallUrlInput, RuntimeFields, SiteSelectionInput } from "@sdk/core/provider-kit";
import type { OAuthContext } from "./oauth-engine.js";
import type { OAuthTuning } from "./oauth-tuning.js";
import type { StatePayload } from "./install-state.js";
import type { CachedToken } from "./token-cache.js";
import type { ResponseLimits } from "./read-bounded-body.js";
import type { ClientAuthMethod, ErrorMapper, HttpAnswer } from "./token-client.js";
import type { TokenFields } from "./token-response.js";

/** Tokens per chain at resolve time ("" is the primary chain). */
export type ChainTokens = Record<string, CachedToken>;

/**
 * Opt-in support for installs the service did not start: a callback without `state` (an install begun on the
 * provider's own site) becomes a pending install, parked encrypted in the cache, that a signed-in user must confirm
 * (`sdk.confirmPendingInstall`). Without this hook such a callback is `state_missing`.
 */
export interface PendingInstallHooks {
  /**
   * Runs after the code exchange: checks what was granted (throw an SdkError to refuse, nothing is parked) and returns
   * the future integration's `metadata` and the `grant` a confirmation page shows (Sentry `{ org_slug }`, Slack
   * `{ enterprise_id, team_id, team_name }`). Never put a secret in `grant`.
   */
  describe: (
    context: OAuthContext,
    args: { tokens: Record<string, TokenFields>; body: unknown; input: InstallCallbackInput; scopes: string[] },
  ) => Promise<{ metadata: Record<string, unknown>; grant: Record<string, string> }>;
  /** How long the grant waits for a confirmation, in seconds (at most 600: a provider's code lives 10 min). @default 600 */
  ttlSeconds?: number;
}

/** The registered client and how it asks for consent (RFC 6749 2-4). */
export interface OAuthClientOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Scopes always requested. @default [] */
  scopes?: string[];
  /** @default " " (RFC 6749 3.3) */
  scopeSeparator?: string;
  /** Query parameter that carries scopes. @default "scope" */
  scopeParam?: string;
  /** PKCE S256 (RFC 7636). Turn off only for servers that reject it. @default true */
  pkce?: boolean;
  /** @default "client_secret_basic" */
  clientAuth?: ClientAuthMethod;
  /** @default "form" */
  tokenRequestFormat?: "form" | "json";
  /** Extra authorize parameters (e.g. `{ audience, prompt }`). */
  authorizeParams?: Record<string, string>;
  /** Fills `account_id` / `created_by` when `buildInstallUrl` gets only `user_id` (1.x identityResolver). */
  identityResolver?: (userId: string) => Promise<{ account_id: string; created_by?: string }>;
}

/** Where the provider answers, and who it is (RFC 8414 issuer). */
export interface OAuthEndpoints {
  /** Authorization endpoint. Required unless `issuer` is given: the server's metadata then names it (RFC 8414). */
  authorizeUrl?: string;
  /**
   * Token endpoint; a function when it depends on the install (Sentry: per installation). Required unless `issuer` is
   * given (RFC 8414 metadata `token_endpoint`).
   */
  tokenUrl?: string | ((target: { input?: InstallCallbackInput; integration?: Integration }) => string);
  /**
   * RFC 7009 revocation endpoint; without it (and without a `revoke` hook) delete never revokes. With discovery, the
   * metadata's `revocation_endpoint` when this is not given.
   */
  revokeUrl?: string;
  /** Base URL for `sdk.fetch`. */
  apiBaseUrl?: string;
  /**
   * The authorization server's issuer identifier (RFC 8414 `issuer`). When set, a callback that carries `iss` must
   * carry exactly this value (RFC 9207 mix-up defence), else `issuer_mismatch`. It also turns on discovery when an
   * endpoint is left out (see `discovery`).
   * @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4
   */
  issuer?: string;
  /**
   * Read the issuer's authorization server metadata (RFC 8414 `/.well-known/oauth-authorization-server`, else OIDC
   * `/.well-known/openid-configuration`) once, on first use, and take from it what the options leave out: the
   * endpoints, `client.clientAuth` (`token_endpoint_auth_methods_supported`), `client.pkce` (off only when
   * `code_challenge_methods_supported` lacks S256) and `authorizationResponseIssParameterSupported`. Options given
   * always win. The document must name this `issuer` exactly (RFC 8414 section 3.3). Needs `issuer`.
   * @default true when `issuer` is given and `authorizeUrl` or `tokenUrl` is not
   * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
   */
  discovery?: boolean;
  /**
   * The server always sends `iss` on its authorization responses (its metadata's
   * `authorization_response_iss_parameter_supported`): a callback without `iss` is then `issuer_mismatch` too.
   * Needs `issuer`. @default false
   */
  authorizationResponseIssParameterSupported?: boolean;
}

/** The shared tuning (`OAuthTuning`) plus the provider's token facts that tune the refresh protocol. */
export interface OAuthProviderTuning extends OAuthTuning {
  /** Lifetime assumed when a token response has no `expires_in`. @default 3600 */
  defaultExpiresInSeconds?: number;
  /**
   * Caps on what the SDK reads from the provider (token, revoke and API answers): body size, JSON depth, scopes per
   * token response. A breach is `provider_error` with `details.limit` naming it.
   * @default { maxBodyBytes: 1048576, maxJsonDepth: 32, maxScopes: 500 }
   */
  responseLimits?: ResponseLimits;
  /**
   * The provider expires a refresh token left unused this long (Atlassian: 90 days of inactivity), minus a margin:
   * `sdk.refreshDue` refreshes a grant whose record was last written longer ago than this, even when its access
   * token is not due. A rotating provider writes the record on every refresh, so this measures real use.
   * @default undefined (no idle limit)
   */
  refreshTokenIdleMs?: number;
  /**
   * Whether an old refresh token keeps working for a while after rotation. When false (Sentry deletes it at once)
   * a refresh is never retried after a timeout, because the provider may already have rotated. @default true
   */
  refreshReuseWindow?: boolean;
  /**
   * Whether the provider keeps an access token valid until its own expiry after a refresh issued a new one (RFC 6749
   * leaves it open; Slack and Atlassian do). Refresh-ahead relies on it: while one caller refreshes in the background,
   * the others keep using the current token. When false (Sentry deletes the old token row at once) refresh-ahead is
   * off and `refreshAheadSeconds` above 0 is `misconfigured`. @default true
   */
  accessTokenOutlivesRefresh?: boolean;
}

/** How a provider differs from the RFC: every hook is optional. Hooks that take a context get an `OAuthContext`. */
export interface OAuthProviderHooks {
  /** Extra scopes and signed context for an install (Atlassian: sibling scope union, preselected cloud_id). */
  installContext?: (context: OAuthContext, input: InstallUrlInput & { account_id: string }) => Promise<{ scopes?: string[]; ctx?: Record<string, unknown> }>;
  /** Extra authorize parameters derived from the input (Slack: team, user_scope). */
  authorizeQuery?: (input: InstallUrlInput, scopes: string[]) => Record<string, string>;
  /** Builds the whole authorize URL instead of the RFC one (Sentry external-install). */
  buildAuthorizeUrl?: (args: { state: string; scopes: string[]; codeChallenge?: string; input: InstallUrlInput }) => string;
  /** Parses a token response into tokens per chain. @default RFC 6749 5.1 for the primary chain */
  parseTokenResponse?: (body: unknown, request: { grant: "authorization_code" | "refresh_token"; chain: string }) => Record<string, TokenFields>;
  /** Provider error shapes (Slack `ok:false` at HTTP 200, Sentry `detail`). */
  mapError?: ErrorMapper;
  /**
   * Classifies a refused answer (HTTP 4xx) to the refresh grant before `mapError` and the RFC mapping; undefined
   * keeps those. Providers say here which words mean a dead grant (Atlassian: `unauthorized_client` "refresh_token is
   * invalid"): a `reauth_required` from it marks the integration and its grant siblings `needs_reauth`, like
   * `invalid_grant`. The code exchange never goes through it, so a wrong client secret stays `invalid_client`.
   */
  classifyRefreshError?: ErrorMapper;
  /** Extra body fields of the code exchange (Sentry needs none of `redirect_uri`). */
  exchangeParams?: (input: InstallCallbackInput, base: Record<string, string>) => Record<string, string>;
  /** Turns the exchanged tokens into the integration draft (Atlassian: site selection; Slack: team metadata). */
  buildIntegration?: (context: OAuthContext, args: { draft: IntegrationDraft; tokens: Record<string, TokenFields>; body: unknown; state: StatePayload; input: InstallCallbackInput }) => Promise<IntegrationDraft>;
  /** Validates provider metadata given to createConnection. */
  parseMetadata?: (metadata: Record<string, unknown>, field: string) => Record<string, unknown>;
  naturalKey?: (draft: { metadata: Record<string, unknown>; credentials: Record<string, unknown> }) => string | null;
  /** Runtime fields besides the ids. @default { access_token, token_type, expires_at, scopes, headers, api_base_url } */
  runtime?: (integration: Integration, tokens: ChainTokens) => RuntimeFields;
  /** Other integrations that share this one's grant (Atlassian siblings): they get every rotated refresh token, one lock, and `needs_reauth` together. */
  grantSiblings?: (context: OAuthContext, integration: Integration) => Promise<Integration[]>;
  /**
   * The id segment of the refresh-lock key that grant siblings share, `integration:{family}:{id}:app_user:{account_id}:refresh_lock`
   * (Atlassian: one per Atlassian user). Only used with `family` and `grantSiblings`. @default "grant"
   */
  grantLockId?: (integration: Integration) => string;
  /**
   * The grant key stored on a record (`Integration.grant_key`) so that `grantSiblings` can find a grant's records with
   * one indexed `list({ account_id, grant_key })` instead of reading the account (Atlassian: one per Atlassian user).
   * null: not known for this record. @default none (no grant key is stored)
   */
  grantKey?: (draft: { metadata: Record<string, unknown>; credentials: Record<string, unknown> }) => string | null;
  /** Runs in createConnection before the record is stored; a throw refuses the save and nothing is written. */
  beforeSave?: (context: OAuthContext, draft: IntegrationDraft) => Promise<void>;
  /** Runs after createConnection stored the record. */
  afterSave?: (context: OAuthContext, saved: Integration) => Promise<void>;
  /** Runs after a refresh stored its answer (Atlassian: learns a 1.x record's user). A throw is logged, never thrown. */
  afterRefresh?: (context: OAuthContext, integration: Integration, token: CachedToken) => Promise<void>;
  /** An API answer other than 401 that refuses the token (Slack: HTTP 200 `ok:false, token_expired`); `sdk.fetch` then refreshes once and retries. */
  rejectsCredentials?: ProviderDefinition["rejectsCredentials"];
  /** A 401 that a refresh cannot cure (Atlassian: "scope does not match"); `sdk.fetch` returns it without refreshing. */
  refreshCannotCure?: ProviderDefinition["refreshCannotCure"];
  /** Revokes credentials at the provider (Slack auth.revoke). @default RFC 7009 at `revokeUrl` */
  revoke?: (context: OAuthContext, integration: Integration, helpers: { send: (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<HttpAnswer> }) => Promise<void>;
  /** Installs the service did not start become pending installs instead of `state_missing` (see PendingInstallHooks). */
  pendingInstall?: PendingInstallHooks;
  /** Completes a parked install (Atlassian site selection). */
  completeSiteSelection?: (context: OAuthContext, input: SiteSelectionInput) => Promise<InstallCallbackResult>;
  /**
   * Checks the provider's own fields of a callback before anything else (Sentry: `installationId`, `orgSlug`); a throw
   * refuses the callback and nothing is stored or exchanged.
   */
  validateCallback?: (context: OAuthContext, input: InstallCallbackInput) => void;
  /**
   * Reshapes a draft before the engine prepares it for saving; `related` drafts are saved after it (Slack: a bot + user
   * install becomes the workspace's connection plus the user's own). Runs before `beforeSave`.
   */
  prepareDraft?: (context: OAuthContext, draft: IntegrationDraft) => Promise<{ draft: IntegrationDraft; related?: IntegrationDraft[] }>;
  /** Verifies and applies the provider's webhooks (`sdk.handleWebhook`): Slack Events API, Sentry installation hooks. */
  handleWebhook?: (context: OAuthContext, input: WebhookInput) => Promise<WebhookResult>;
}

/**
 * Options of `defineOAuthProvider`, grouped: `client` (the registered app), `endpoints`, `tuning` and `hooks`.
 * Hooks reach the engine through `context.engine` (see OAuthEngine).
 */
export interface OAuthProviderOptions {
  /** Provider id (lower-case). */
  id: string;
  /** Providers of one family share one grant per account (see `grantSiblings`). */
  family?: string;
  /** Token chains besides the primary one (Slack: ["user"]); chain "x" keeps `x_refresh_token` etc. @default [] */
  chains?: string[];
  /** The registered client. */
  client: OAuthClientOptions;
  /** The provider's endpoints. */
  endpoints: OAuthEndpoints;
  /** Deadlines, retries, skew, lease, response limits and token facts; every field has a default. */
  tuning?: OAuthProviderTuning;
  /** The provider's quirks. */
  hooks?: OAuthProviderHooks;
}

/** The flat view of the options that the engine's parts read (internal; `defineOAuthProvider` builds it). */
export type EngineSettings = Pick<OAuthProviderOptions, "id" | "family" | "chains"> & OAuthClientOptions & OAuthEndpoints & OAuthProviderTuning & OAuthProviderHooks;
