// ConnectionManager is the SDK object `createSDK` returns: a thin facade that keeps the public, typed method surface
// and hands each call to the part that owns it. It knows no provider and holds no logic of its own. The parts:
// provider-registry.ts, install-dispatch.ts, connection-records.ts, resolve-flight.ts, authorized-fetch.ts.
import { AuthorizedFetch } from "./authorized-fetch.js";
import { ConnectionRecords } from "./connection-records.js";
import type { ConnectionPage, ListInput, ScanInput } from "./connection-scan.js";
import type { FetchInput } from "./fetch-input.js";
import type { CredentialDescription } from "./describe-credentials.js";
import { createTokenSource, type TokenSource } from "./token-source.js";
import { InstallDispatch } from "./install-dispatch.js";
import type { IntegrationDraft, IntegrationSummary } from "./integration.js";
import { redactingLogger } from "./logger.js";
import { parseInput } from "./parse-input.js";
import type {
  ConfirmPendingInstallInput,
  InstallCallbackResult,
  InstallUrlResult,
  PendingInstall,
  PendingInstallLookup,
  ProviderDefinition,
  ProviderIdOf,
  Runtime,
  RuntimeOf,
  WebhookInput,
  WebhookResult,
} from "./provider.js";
import { createProviderContext } from "./provider-context.js";
import { ProviderRegistry } from "./provider-registry.js";
import type { NaturalKeyBackfillInput, NaturalKeyBackfillResult } from "./backfill-natural-keys.js";
import type { ReencryptInput, ReencryptProgress } from "./reencrypt-connections.js";
import type { RefreshDueInput, RefreshDueResult } from "./refresh-due.js";
import { ResolveFlight } from "./resolve-flight.js";
import { idSchema, isValidId } from "./schemas.js";
import type { BuildInstallUrlInput, CompleteSiteSelectionInput, HandleInstallCallbackInput } from "./sdk-inputs.js";
import { SdkEvents } from "./sdk-events.js";
import { checkHealth, type CheckHealthInput, type HealthReport, type HealthSubjects } from "./check-health.js";
import { validateOptions, type SdkOptions } from "./sdk-options.js";

// Every public method is declared here, on the facade's prototype, even when it only delegates: the reliability
// suite's bad-input test enumerates that prototype to prove every public method refuses hostile input.
/**
 * The SDK object. `P` is what `createSDK({ providers })` registered: provider ids and runtimes are typed from it
 * (`"slack" | "jira" | ...`); with providers registered dynamically it is `ProviderDefinition` and ids are strings.
 */
export class ConnectionManager<P extends ProviderDefinition = ProviderDefinition> {
  /** Subscribe to lifecycle events (`token.refreshed`, `connection.needs_reauth`, ...). */
  readonly events: SdkEvents;
  readonly #providers: ProviderRegistry;
  readonly #installs: InstallDispatch;
  readonly #records: ConnectionRecords;
  readonly #flight: ResolveFlight;
  readonly #fetch: AuthorizedFetch;
  readonly #health: HealthSubjects;

  constructor(options: SdkOptions) {
    validateOptions(options);
    const logger = redactingLogger(options.logger);
    this.events = new SdkEvents(logger);
    const context = createProviderContext(options, logger, this.events);
    this.#providers = new ProviderRegistry(options.providers, { hasCache: context.cache !== undefined, state: context.state });
    this.#installs = new InstallDispatch(context, this.#providers);
    this.#flight = new ResolveFlight(context, this.#providers);
    this.#records = new ConnectionRecords(context, this.#providers, this.#flight);
    this.#fetch = new AuthorizedFetch(context, this.#providers, this.#flight);
    // The health probe talks to the stores as given (their own checkHealth), not through the guarded wrapper.
    const keyIds = (options.encryption?.keys ?? []).map((key) => key.id);
    this.#health = { store: options.store, cache: options.cache, keyIds, providers: () => this.#providers.all.values(), now: context.now, keyPrefix: context.keyPrefix };
  }

  /** Registered provider ids. */
  get providerIds(): ProviderIdOf<P>[] {
    return this.#providers.ids as ProviderIdOf<P>[];
  }

  /** Builds the provider's install URL with a signed, single-use, browser-bound state. */
  async buildInstallUrl(input: BuildInstallUrlInput<ProviderIdOf<P>>): Promise<InstallUrlResult> {
    return this.#installs.buildInstallUrl(input);
  }

  /**
   * Verifies the callback and exchanges the code. Pass the whole redirect `query` (or the explicit fields). The
   * returned integration is not persisted (call createConnection).
   */
  async handleInstallCallback<Id extends ProviderIdOf<P>>(input: HandleInstallCallbackInput<Id>): Promise<InstallCallbackResult<Id>> {
    return this.#installs.handleInstallCallback(input) as Promise<InstallCallbackResult<Id>>;
  }

  /** Finishes a multi-site install with the site the user picked. */
  async completeSiteSelection(input: CompleteSiteSelectionInput): Promise<InstallCallbackResult<ProviderIdOf<P>>> {
    return this.#installs.completeSiteSelection(input) as Promise<InstallCallbackResult<ProviderIdOf<P>>>;
  }

  /**
   * What a pending install (an install the service did not start, see `install_confirmation_required`) granted, for
   * a confirmation page. Takes nothing. Unknown or expired: `pending_install_expired`.
   */
  async getPendingInstall(input: PendingInstallLookup): Promise<PendingInstall> {
    return this.#installs.getPendingInstall(input);
  }

  /**
   * Turns a pending install into an integration draft for the signed-in `user_id` and the `account_id` the caller
   * chose (pass it to createConnection). Call it only from a same-origin POST of the signed-in user. Exactly once:
   * a second confirm is `pending_install_already_confirmed`, a late one `pending_install_expired`.
   */
  async confirmPendingInstall(input: ConfirmPendingInstallInput): Promise<InstallCallbackResult<ProviderIdOf<P>>> {
    return this.#installs.confirmPendingInstall(input) as Promise<InstallCallbackResult<ProviderIdOf<P>>>;
  }

  /**
   * Stores a connection: a callback's integration or non-OAuth credentials. Upserts on the provider's natural key:
   * a re-install updates credentials in place and sets `status` back to `active`.
   */
  async createConnection(input: IntegrationDraft & { provider: ProviderIdOf<P> }): Promise<IntegrationSummary> {
    return this.#records.create(input);
  }

  /**
   * Ready-to-use runtime credentials (provider-specific shape). Refreshes OAuth tokens when needed.
   *
   * Concurrent calls for one integration in this process share one resolve (one record read, one cache read), like
   * the refresh's single flight one level down. A call joins only a resolve that started after this instance's
   * last write or cache invalidation, so it never sees state older than its own process's last change. Each caller
   * gets its own copy of the runtime.
   */
  async resolveConnection<R extends Runtime = RuntimeOf<P>>(id: string): Promise<R> {
    const integrationId = isValidId(id) ? id : parseInput(idSchema(), id, "resolveConnection.id");
    return this.#flight.resolve(integrationId) as Promise<R>;
  }

  /** The integration without credentials (only their field names). Never decrypts. */
  async getConnection(id: string): Promise<IntegrationSummary> {
    return this.#records.get(id);
  }

  /**
   * What an operator may know about a connection's credentials, without any of them: the key id of each sealed
   * field, status, scopes and times, and for OAuth each token chain's refresh-token generation (a digest that changes
   * with every rotation), whether a rotation is still waiting to be saved, and the cached access token's expiry.
   */
  async describeCredentials(id: string): Promise<CredentialDescription> {
    return this.#records.describe(id);
  }

  /**
   * The account's integrations without credentials. Never decrypts. Without `limit` and `cursor`: all of them,
   * oldest first. With either: one page `{ items, cursor }` in the stable scan order (ascending id), as
   * `scanConnections({ account_id })` gives it; pass `cursor` back for the next page until it is null.
   */
  async listConnections(input: ListInput & { provider?: ProviderIdOf<P>; limit?: undefined; cursor?: undefined }): Promise<IntegrationSummary[]>;
  async listConnections(input: ListInput & { provider?: ProviderIdOf<P> } & ({ limit: number } | { cursor: string })): Promise<ConnectionPage>;
  async listConnections(input: ListInput & { provider?: ProviderIdOf<P> }): Promise<IntegrationSummary[] | ConnectionPage>;
  async listConnections(input: ListInput): Promise<IntegrationSummary[] | ConnectionPage> {
    return this.#records.list(input);
  }

  /**
   * Every connection of the fleet (optionally of one provider, status or account), a page at a time, as summaries
   * (never credentials). The cursor is stable and resumable: a connection that exists for the whole scan is
   * returned exactly once, whatever other writes happen meanwhile. A page may be short; stop when `cursor` is null.
   */
  async scanConnections(input: ScanInput = {}): Promise<ConnectionPage> {
    return this.#records.scan(input);
  }

  /**
   * One page of the keep-alive sweep: refreshes the active OAuth connections whose access token expires within
   * `within` ms (or is no longer cached), or whose grant has been idle past the provider's limit (Atlassian: well
   * inside its 90 days), through the refresh lock. Run it from any number of workers at once: each due connection is
   * refreshed once. Loop with `cursor` until it is null; failures are counted per connection, never thrown.
   */
  async refreshDue(input: RefreshDueInput): Promise<RefreshDueResult> {
    return this.#records.refreshDue(input);
  }

  /**
   * Key rotation: re-encrypts every record whose credentials use a key other than the first of `encryption.keys`
   * (or 1.x plaintext), compare-and-set (a concurrent refresh wins and the record is retried, never clobbered).
   * Safe to run in several processes at once; resumable from `cursor`; `onProgress` after every page; `signal` stops
   * it. Once it returns `cursor: null` with `failed: 0`, the old key can be removed.
   */
  async reencryptConnections(input: ReencryptInput = {}): Promise<ReencryptProgress> {
    return this.#records.reencrypt(input);
  }

  /**
   * For a readiness probe: the store and cache answer (and their deployment is safe, e.g. Redis's eviction policy),
   * encryption is configured, providers' endpoint hosts resolve. Bounded by `timeoutMs` per probe; never throws for
   * what it finds (only for a bad input) and never reports a secret. Answer 503 when `status` is `"fail"`.
   */
  async checkHealth(input?: CheckHealthInput): Promise<HealthReport> {
    return checkHealth(this.#health, input);
  }

  /**
   * Migration step for stores that hold 1.x records: gives every record written without a natural key the key its
   * provider derives (compare-and-set, `updated_at` kept), so a re-install of it is found by the indexed lookup.
   * Safe in several processes at once; resumable from `cursor`; `signal` stops it. Run it until `cursor` is null.
   */
  async backfillNaturalKeys(input: NaturalKeyBackfillInput = {}): Promise<NaturalKeyBackfillResult> {
    return this.#records.backfillNaturalKeys(input);
  }

  /** Replaces the credentials of an api-key, basic or mapped-credentials integration and sets it `active`. */
  async updateCredentials(id: string, credentials: Record<string, unknown>): Promise<IntegrationSummary> {
    return this.#records.updateCredentials(id, credentials);
  }

  /** Drops the cached access token so the next resolve refreshes. */
  async invalidateConnection(id: string): Promise<void> {
    return this.#records.invalidate(id);
  }

  /** Revokes at the provider when asked and supported, then drops cache keys and the record. */
  async deleteConnection(id: string, options?: { revoke?: boolean }): Promise<{ deleted: boolean; revoked: boolean }> {
    return this.#records.delete(id, options);
  }

  /** Verifies a provider webhook (its signature) and applies it, e.g. an uninstall marks the integration `revoked`. */
  async handleWebhook(input: WebhookInput & { provider: ProviderIdOf<P> }): Promise<WebhookResult> {
    return this.#installs.handleWebhook(input);
  }

  /**
   * `fetch` with the connection's credentials: `path` is resolved against the runtime's `api_base_url` and must stay
   * inside it (its origin, and its path segment-wise; no `.`/`..` segment, raw or percent-encoded), else
   * `validation_failed` (`fetch.path`) and nothing is sent. Redirects are followed only inside the base URL; one to
   * another origin is returned as it is, one on the origin but outside the base path is refused like a path. For
   * OAuth, a 401 (or an answer the provider's `rejectsCredentials` recognises) invalidates the token, refreshes once
   * and retries once, unless a refresh cannot cure it (`refreshCannotCure`, or a token that a refresh gave already).
   */
  async fetch(id: string, path: FetchInput, init: RequestInit = {}): Promise<Response> {
    const integrationId = parseInput(idSchema(), id, "fetch.id");
    return this.#fetch.fetch(integrationId, path, init);
  }

  /**
   * A standard `fetch` bound to one connection, for API clients that take a fetch function:
   * `new WebClient(undefined, { fetch: sdk.fetcher(id) })`, `createClient({ fetch: sdk.fetcher(id) })`. It accepts a
   * path, a URL or a Request and behaves as `sdk.fetch(id, ...)`: credentials injected, inside the base URL only, a
   * refused token refreshed once and the request retried once (unless a refresh cannot cure the refusal).
   */
  fetcher(id: string): (input: FetchInput, init?: RequestInit) => Promise<Response> {
    const integrationId = parseInput(idSchema(), id, "fetcher.id");
    return (input, init) => this.fetch(integrationId, input, init);
  }

  /**
   * The connection's access token as the callback pair of API clients that run their own HTTP stack (jira.js 6,
   * confluence.js 3: `auth: { type: "bearer", getToken }` and `getAuthOn401`). `getToken()` is the current token,
   * refreshed when due; `onUnauthorized(refused?)` replaces a token the API refused, under the same rules as
   * `sdk.fetch`'s 401: one refresh per refused token, none for a token that such a refresh gave.
   */
  tokenSource(id: string): TokenSource {
    const integrationId = parseInput(idSchema(), id, "tokenSource.id");
    return createTokenSource(
      () => this.resolveConnection<Runtime>(integrationId),
      (refused) => this.#fetch.afterRefusal(integrationId, refused),
    );
  }

  /**
   * Releases what the SDK itself holds, after the providers' background work (OAuth refreshes ahead of expiry) has
   * settled: call it before closing the store and cache clients. Stores wrap clients the caller owns and are never
   * closed here.
   */
  async close(): Promise<void> {
    await Promise.all([...this.#providers.all.values()].map((provider) => provider.close?.()));
    this.#records.clear();
  }
}
