// The provider plugin contract. `@sdk/oauth` and the provider packages implement it; core calls it and
// never knows a concrete provider. A plugin gets everything it may touch through `ProviderContext`.
import type { TokenChainView } from "./describe-credentials.js";
import type { CacheStore } from "./cache-store.js";
import type { CredentialCipher } from "./credential-cipher.js";
import type { AuthType, Integration, IntegrationDraft } from "./integration.js";
import type { IntegrationRepository } from "./integration-repository.js";
import type { Logger } from "./logger.js";
import type { SdkEvents } from "./sdk-events.js";

/** The provider-specific part of a runtime: `headers`, usually `api_base_url`, and any other fields. */
export interface RuntimeFields {
  /** Headers that authenticate a request (e.g. `Authorization`). */
  headers: Record<string, string>;
  /** Base URL that `sdk.fetch` resolves relative paths against. */
  api_base_url?: string;
  [field: string]: unknown;
}

/** Runtime credentials handed to the caller: every shape carries the ids, `headers`, and usually `api_base_url`. */
export interface Runtime extends RuntimeFields {
  provider: string;
  integration_id: string;
  account_id: string;
}

export interface StateSecret {
  /** Key id written into the state (`kid`). */
  id: string;
  /** At least 32 characters of secret material. */
  secret: string;
}

/** Resolved `state` options (see DESIGN section 6). */
export interface StateConfig {
  secrets: readonly StateSecret[];
  browserBinding: "required" | "off";
  /** Lifetime of an install state in seconds. */
  ttlSeconds: number;
}

export interface ProviderContext {
  readonly integrations: IntegrationRepository;
  /** The cache, with failures mapped to `cache_unavailable`. Undefined when none was configured. */
  readonly cache: CacheStore | undefined;
  readonly now: () => number;
  readonly fetch: typeof globalThis.fetch;
  readonly logger: Logger;
  readonly events: SdkEvents;
  readonly cipher: CredentialCipher;
  /** How access tokens are kept in the cache: "encrypted" (default with keys) or "plaintext" (1.x gateways, or no keys). */
  readonly accessTokenCache: "encrypted" | "plaintext";
  readonly state: StateConfig;
  /** Prefix for SDK-internal cache keys (state nonces, PKCE verifiers, site selections). */
  readonly keyPrefix: string;
  /** The cache, or `misconfigured` when there is none. */
  requireCache(): CacheStore;
}

export interface InstallUrlInput {
  provider: string;
  user_id: string;
  account_id?: string;
  created_by?: string;
  /** Extra scopes on top of the provider's defaults. */
  scopes?: string[];
  /** A caller-chosen browser binding (e.g. derived from the session); the SDK makes one when absent. */
  browser_binding?: string;
  [field: string]: unknown;
}

export interface InstallUrlResult {
  url: string;
  state: string;
  /** Keep it in an httpOnly, SameSite=Lax cookie and give it back to the callback. */
  browser_binding: string;
  expires_at: string;
}

export interface InstallCallbackInput {
  provider: string;
  code?: string;
  state?: string;
  browser_binding?: string;
  error?: string;
  error_description?: string;
  [field: string]: unknown;
}

export interface InstallCallbackResult<Id extends string = string> {
  /** Not persisted yet: pass it to `createConnection`. */
  integration: IntegrationDraft & { provider: Id };
}

export interface SiteSelectionInput {
  selection_id: string;
  cloud_id: string;
  browser_binding?: string;
  /** The signed-in user, when the caller knows it: the provider checks it against the user who started the install. */
  user_id?: string;
  /** The account, when the caller knows it: the provider checks it against the account of the install. */
  account_id?: string;
}

/**
 * An install the service did not start (no state on the callback, or a provider webhook), parked until a signed-in
 * user confirms it for an account. Carries what was granted, never a secret.
 */
export interface PendingInstall {
  /** Opaque, single use; give it to `getPendingInstall` / `confirmPendingInstall`. */
  pending_install_id: string;
  provider: string;
  /** What was granted, for the confirmation page (Sentry `{ org_slug }`; Slack enterprise / team). */
  grant: Record<string, string>;
  /** ISO 8601; at most 10 minutes after the callback. */
  expires_at: string;
}

export interface PendingInstallLookup {
  pending_install_id: string;
  /** Required when the pending install was bound to the browser that received the callback. */
  browser_binding?: string;
}

export interface ConfirmPendingInstallInput extends PendingInstallLookup {
  /** The signed-in user confirming. */
  user_id: string;
  /** The account the connection is stored under: the caller's choice for its signed-in user, never guessed. */
  account_id: string;
  /** @default user_id */
  created_by?: string;
}

export interface WebhookInput {
  provider: string;
  /** Request headers as the HTTP framework gives them (names case-insensitive). */
  headers: Record<string, string | string[] | undefined>;
  /** The raw request body, exactly as received (signatures are computed over it). */
  body: string;
}

export interface WebhookResult {
  /** What the provider recognised, e.g. "installation.deleted"; undefined when the event needs nothing. */
  event?: string;
  /** Integrations whose status the webhook changed. */
  integration_ids: string[];
  /** An install the webhook reported and the SDK parked: it needs a user's confirmation (`confirmPendingInstall`). */
  pending_install?: PendingInstall;
  /**
   * The body the provider expects back, when it expects one (Slack's `url_verification`: the `challenge`). Answer
   * HTTP 200 with this body and content type; without it, answer 200 with an empty body.
   */
  response?: { content_type: string; body: string };
}

export interface PreparedConnection {
  draft: IntegrationDraft;
  /** Runs after the record is stored (e.g. caches the access token obtained at the callback). */
  afterSave?: (saved: Integration) => Promise<void>;
  /**
   * Drafts of other records the same install produced (Slack: each Slack user's token is a connection of its own).
   * `createConnection` stores each of them first, with the same upsert, then this one.
   */
  related?: IntegrationDraft[];
}

/** What never changes for an integration id. */
export type IntegrationIdentity = Pick<Integration, "id" | "provider" | "account_id">;

/** What `ProviderDefinition.refreshDue` did with one connection. */
export type RefreshDueOutcome = "refreshed" | "not_due" | "skipped";

/**
 * A provider plugin. `Id` and `R` are what the type system learns from registering it: `createSDK({ providers })`
 * types provider ids and `resolveConnection`'s runtime from them (see `ProviderIdOf`, `RuntimeOf`).
 */
export interface ProviderDefinition<Id extends string = string, R extends Runtime = Runtime> {
  /** Lower-case id used in inputs, records and cache keys (`jira`, `slack`, ...). */
  readonly id: Id;
  /** Type-only: the runtime this provider resolves to. Never set at run time (the `~` keeps it out of completions). */
  readonly "~runtime"?: R;
  readonly authType: AuthType;
  /** Providers of one family share an account-level grant (Atlassian: jira, jsm, confluence). */
  readonly family?: string;
  /** What `createSDK` must be given for this provider to work; checked at construction (`misconfigured`). */
  readonly requires?: { cache?: boolean; stateSecrets?: boolean };
  /** Validates and normalises credentials given to `createConnection` / `updateCredentials`. Throws `validation_failed`. */
  parseCredentials(credentials: unknown, field: string): Record<string, unknown>;
  /** Validates provider metadata given to `createConnection`. Throws `validation_failed`. */
  parseMetadata?(metadata: Record<string, unknown>, field: string): Record<string, unknown>;
  /** The natural key that makes `createConnection` an upsert (one integration per account, provider and key). */
  naturalKey?(draft: { metadata: Record<string, unknown>; credentials: Record<string, unknown> }): string | null;
  /**
   * The grant a record shares with other records of its account (Atlassian: the Atlassian user), stored as
   * `grant_key` on every write the SDK makes through `createConnection` and found with `list({ account_id, grant_key })`
   * from a store index. null: the record shares no grant (or its grant is not known yet).
   */
  grantKey?(draft: { metadata: Record<string, unknown>; credentials: Record<string, unknown> }): string | null;
  /**
   * Ready-to-use runtime credentials. Called only for `active` integrations. `prefetched` is what `prefetch` returned
   * for this integration, when core started it alongside the record read.
   */
  resolve(context: ProviderContext, integration: Integration, prefetched?: Promise<unknown>): Promise<Runtime>;
  /**
   * Starts the cache reads a resolve of this integration will need, so they travel with the record read: one round
   * trip per resolve instead of two. Gets only what never changes for an integration id (id, provider, account_id);
   * core calls it once it has seen the integration and hands the promise to `resolve`.
   */
  prefetch?(context: ProviderContext, integration: IntegrationIdentity): Promise<unknown>;
  buildInstallUrl?(context: ProviderContext, input: InstallUrlInput): Promise<InstallUrlResult>;
  handleInstallCallback?(context: ProviderContext, input: InstallCallbackInput): Promise<InstallCallbackResult>;
  completeSiteSelection?(context: ProviderContext, input: SiteSelectionInput): Promise<InstallCallbackResult>;
  /** What a parked provider-started install granted (no secret). */
  getPendingInstall?(context: ProviderContext, input: PendingInstallLookup): Promise<PendingInstall>;
  /** Takes a parked provider-started install, once, for the given user and account. */
  confirmPendingInstall?(context: ProviderContext, input: ConfirmPendingInstallInput): Promise<InstallCallbackResult>;
  /** Moves transient parts of a draft (an access token) out of the record before it is stored. */
  prepareConnection?(context: ProviderContext, draft: IntegrationDraft): Promise<PreparedConnection>;
  /**
   * Whether an API answer that is not a 401 still says the credentials were refused (Slack answers HTTP 200
   * `{ ok: false, error: "token_expired" }`). `sdk.fetch` then treats it like a 401: invalidate, refresh once, retry
   * once. Gets a clone of the response; it should cancel the clone's body when it does not read it (without awaiting:
   * a clone's cancel settles only once the caller's copy is consumed too). A throw counts as "not refused".
   */
  rejectsCredentials?(response: Response): Promise<boolean>;
  /**
   * Whether a refusal (401, or what `rejectsCredentials` recognises) is one a refresh cannot cure (Atlassian: 401
   * "scope does not match"): `sdk.fetch` then returns it without refreshing. Gets a clone of the response, like
   * `rejectsCredentials`; a throw counts as "a refresh may cure it".
   */
  refreshCannotCure?(response: Response): Promise<boolean>;
  /**
   * `sdk.refreshDue`: refreshes the connection when its access token expires within `withinMs` (or is gone) or its
   * grant is idle past the provider's limit, through the refresh lock, so that several workers sweeping one fleet
   * refresh it once. `"skipped"`: another caller refreshed it meanwhile. Throws like a refresh (`reauth_required`...).
   */
  refreshDue?(context: ProviderContext, integration: Integration, options: { withinMs: number }): Promise<RefreshDueOutcome>;
  /**
   * Drops cached credentials; with `rejectedAccessToken`, only while the cache still holds that token. With `deleted`
   * (deleteConnection), also every other cache key the provider keeps for the integration (OAuth: its rotation journal).
   */
  invalidate?(context: ProviderContext, integration: Integration, options?: { rejectedAccessToken?: string; deleted?: boolean }): Promise<void>;
  /**
   * Revokes the credentials at the provider. Resolves `false` when it turns out the provider cannot revoke them (an
   * OAuth server whose discovered metadata names no revocation endpoint): nothing was sent.
   */
  revoke?(context: ProviderContext, integration: Integration): Promise<void | false>;
  /**
   * Non-secret facts about each token chain for `sdk.describeCredentials` (refresh-token generation, cached
   * access-token expiry). Gets the record with credentials opened on first read; must never return a value of one.
   */
  describeCredentials?(context: ProviderContext, integration: Integration): Promise<TokenChainView[]>;
  /** Verifies and applies a provider webhook (e.g. an uninstall marks the integration `revoked`). */
  handleWebhook?(context: ProviderContext, input: WebhookInput): Promise<WebhookResult>;
  /**
   * The fixed URLs this provider calls (authorize, token, revoke, API base), for `sdk.checkHealth()` to check that their
   * hosts resolve. No secret may appear in them (only host names are reported).
   */
  endpoints?(): string[];
  /**
   * `sdk.close()`: stop starting background work and settle what runs (OAuth: refreshes ahead of expiry, whose rotated
   * refresh token must reach the store before the service closes its clients).
   */
  close?(): Promise<void>;
}

/** What `providers: [...]` accepts: a provider or a bundle of them (e.g. `atlassian()` gives jira, jsm, confluence). */
export type ProviderInput = ProviderDefinition | readonly ProviderDefinition[];

/** The providers a `providers: [...]` list registers, bundles flattened (`atlassian()` counts as its three). */
export type RegisteredProvider<Inputs extends readonly ProviderInput[]> = FlattenProvider<Inputs[number]>;

type FlattenProvider<Entry> = Entry extends readonly (infer Member extends ProviderDefinition)[] ? Member : Entry extends ProviderDefinition ? Entry : never;

/** The ids of some providers: `"slack" | "jira" | ...`; `string` when any of them is registered untyped. */
export type ProviderIdOf<P> = P extends { readonly id: infer Id extends string } ? Id : never;

/**
 * What `resolveConnection` returns for some providers: a union discriminated by `provider`, so checking
 * `runtime.provider === "slack"` narrows it to the Slack runtime.
 */
export type RuntimeOf<P> = P extends ProviderDefinition<infer Id, infer R> ? R & { provider: Id } : never;
