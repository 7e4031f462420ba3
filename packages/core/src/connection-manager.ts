// ConnectionManager is the SDK object `createSDK` returns: it validates every public input, owns the records
// lifecycle (upsert on natural key, status, deletion) and dispatches to provider plugins. It knows no provider.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { CacheStore } from "./cache-store.js";
import { CredentialCipher } from "./credential-cipher.js";
import { mergeCallbackQuery, withoutNulls } from "./callback-query.js";
import { CuredTokenMemory } from "./cured-token-memory.js";
import { readFetchInput, type FetchInput } from "./fetch-input.js";
import { checkRedirectTarget, resolveFetchTarget } from "./fetch-target.js";
import { guardedCache } from "./guarded-cache.js";
import { AUTH_TYPES, type Integration, type IntegrationDraft, type IntegrationSummary, toSummary } from "./integration.js";
import { IntegrationRepository } from "./integration-repository.js";
import { redactingLogger, type Logger } from "./logger.js";
import { parseInput } from "./parse-input.js";
import type {
  ConfirmPendingInstallInput,
  InstallCallbackResult,
  InstallUrlResult,
  IntegrationIdentity,
  PendingInstall,
  PendingInstallLookup,
  ProviderContext,
  ProviderDefinition,
  ProviderIdOf,
  Runtime,
  RuntimeOf,
  StateConfig,
  WebhookInput,
  WebhookResult,
} from "./provider.js";
import type { BuildInstallUrlInput, CompleteSiteSelectionInput, HandleInstallCallbackInput } from "./sdk-inputs.js";
import { idSchema, isValidId, jsonRecordSchema, providerIdSchema, scopeSchema } from "./schemas.js";
import { SdkError } from "./sdk-error.js";
import { SdkEvents } from "./sdk-events.js";
import { reencryptAll, type ReencryptInput, type ReencryptProgress } from "./reencrypt-connections.js";
import { refreshDuePage, type RefreshDueInput, type RefreshDueResult } from "./refresh-due.js";
import { parseScanInput, scanFilterShape, scanPage, type ConnectionPage, type ListInput, type ScanInput } from "./connection-scan.js";
import { validateOptions, type SdkOptions } from "./sdk-options.js";
import { warnPlaintext } from "./warn-plaintext.js";

const installUrlSchema = z
  .object({
    provider: providerIdSchema,
    user_id: idSchema,
    account_id: idSchema.optional(),
    created_by: idSchema.optional(),
    scopes: z.array(scopeSchema).max(100).optional(),
    browser_binding: z.string().min(16).max(512).optional(),
  })
  .loose();

const callbackSchema = z
  .object({
    provider: providerIdSchema,
    code: z.string().min(1).max(4096).optional(),
    // No length cap here: an over-long state is the provider's `state_malformed` (with its state.rejected event),
    // like every other bad state, not a validation error that skips the event.
    state: z.string().optional(),
    browser_binding: z.string().max(8192).optional(),
    error: z.string().max(256).optional(),
    error_description: z.string().max(2048).optional(),
  })
  .loose();

const siteSelectionSchema = z.strictObject({
  selection_id: z.string().min(3).max(256).regex(/^[a-z][a-z0-9_-]*\.[\w-]+$/, "must be a selection_id returned by the callback"),
  cloud_id: idSchema,
  browser_binding: z.string().max(8192).optional(),
  user_id: idSchema.optional(),
  account_id: idSchema.optional(),
});

const pendingInstallIdSchema = z.string().min(3).max(256).regex(/^[a-z][a-z0-9_-]*\.[\w-]+$/, "must be a pending_install_id the SDK returned");

const pendingLookupSchema = z.strictObject({
  pending_install_id: pendingInstallIdSchema,
  browser_binding: z.string().max(8192).optional(),
});

const confirmPendingSchema = z.strictObject({
  pending_install_id: pendingInstallIdSchema,
  browser_binding: z.string().max(8192).optional(),
  user_id: idSchema,
  account_id: idSchema,
  created_by: idSchema.optional(),
});

const draftSchema = z.strictObject({
  provider: providerIdSchema,
  account_id: idSchema,
  created_by: idSchema,
  auth_type: z.enum(AUTH_TYPES).optional(),
  scopes: z.array(scopeSchema).max(500).optional(),
  credentials: jsonRecordSchema,
  metadata: jsonRecordSchema.optional(),
});

const listSchema = z.strictObject({ ...scanFilterShape, account_id: idSchema });

const deleteSchema = z.strictObject({ revoke: z.boolean().optional() }).optional();

const webhookSchema = z.strictObject({
  provider: providerIdSchema,
  headers: z.record(z.string().max(256), z.union([z.string().max(8192), z.array(z.string().max(8192)), z.undefined()])),
  body: z.string().max(1024 * 1024),
});

const fetchPathSchema = z.string().min(1).max(8192);

const fetchInitSchema = z
  .custom<RequestInit>((value) => typeof value === "object" && value !== null && !Array.isArray(value), "must be a RequestInit object")
  .optional();

/** Redirects `sdk.fetch` follows itself, and only on the connection's origin: credentials never travel elsewhere. */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
/** Integration identities remembered for prefetching (about 150 bytes each). */
const MAX_IDENTITIES = 100_000;

function isReplayableBody(body: unknown): boolean {
  return body === undefined || body === null || typeof body === "string" || body instanceof URLSearchParams || body instanceof ArrayBuffer || ArrayBuffer.isView(body) || body instanceof Blob;
}

/** Natural keys are compared as strings; a provider that derives a number (an installation id) gets it as text. */
function normalizeNaturalKey(key: unknown): string | null {
  if (typeof key === "number" && Number.isFinite(key)) return String(key);
  return typeof key === "string" && key.length > 0 ? key : null;
}

async function discard(response: Response): Promise<void> {
  // An unread body keeps its connection busy until garbage collection; a retried or followed response is dropped.
  await response.body?.cancel().catch(() => undefined);
}

/**
 * The SDK object. `P` is what `createSDK({ providers })` registered: provider ids and runtimes are typed from it
 * (`"slack" | "jira" | ...`); with providers registered dynamically it is `ProviderDefinition` and ids are strings.
 */
export class ConnectionManager<P extends ProviderDefinition = ProviderDefinition> {
  /** Subscribe to lifecycle events (`token.refreshed`, `connection.needs_reauth`, ...). */
  readonly events: SdkEvents;
  readonly #providers = new Map<string, ProviderDefinition>();
  readonly #context: ProviderContext;
  readonly #logger: Logger;
  readonly #upserts = new Map<string, Promise<unknown>>();
  /** Resolves in flight per integration id, shared by callers that arrive while one runs (see resolveConnection). */
  readonly #resolving = new Map<string, { generation: number; joiners: number; promise: Promise<Runtime> }>();
  /** Integration id -> provider and account_id (which never change), for the prefetch of a resolve. */
  readonly #identities = new Map<string, IntegrationIdentity>();
  /** Counts cache invalidations this instance made; with the repository's write count it dates a resolve in flight. */
  #invalidations = 0;
  readonly #curedTokens: CuredTokenMemory;

  constructor(options: SdkOptions) {
    validateOptions(options);
    this.#logger = redactingLogger(options.logger);
    this.events = new SdkEvents(this.#logger);
    const now = options.now ?? Date.now;
    const encryption = options.encryption;
    const cipher = new CredentialCipher(encryption?.keys ?? [], { requireEncrypted: encryption?.plaintext === true ? false : encryption?.requireEncrypted });
    if (!cipher.enabled) warnPlaintext(this.#logger);
    const cache: CacheStore | undefined = options.cache ? guardedCache(options.cache) : undefined;
    const state: StateConfig = {
      secrets: options.state?.secrets ?? [],
      browserBinding: options.state?.browserBinding ?? "required",
      ttlSeconds: options.state?.ttlSeconds ?? 600,
    };
    this.#context = {
      integrations: new IntegrationRepository(options.store, cipher, now, this.#logger),
      cache,
      now,
      fetch: options.fetch ?? globalThis.fetch,
      logger: this.#logger,
      events: this.events,
      cipher,
      accessTokenCache: cipher.enabled && encryption?.plaintext !== true && encryption?.accessTokenCache !== "plaintext" ? "encrypted" : "plaintext",
      state,
      keyPrefix: options.keyPrefix ?? "sdk",
      requireCache: () => {
        if (!cache) throw new SdkError("misconfigured", "This operation needs a cache: pass createSDK({ cache }).", { details: { field: "cache" } });
        return cache;
      },
    };
    this.#curedTokens = new CuredTokenMemory(cache, this.#context.keyPrefix, now);
    for (const [index, entry] of options.providers.entries()) {
      const list = Array.isArray(entry) ? entry : [entry];
      for (const provider of list as ProviderDefinition[]) this.#register(provider, index);
    }
  }

  #register(provider: ProviderDefinition, index: number): void {
    if (!provider || typeof provider !== "object" || typeof provider.id !== "string" || typeof provider.resolve !== "function") {
      throw new SdkError("misconfigured", `createSDK option "providers[${index}]" is not a provider definition.`, { details: { field: `providers[${index}]` } });
    }
    parseInput(providerIdSchema, provider.id, `providers[${index}].id`);
    if (this.#providers.has(provider.id)) {
      throw new SdkError("misconfigured", `Provider "${provider.id}" is registered twice.`, { details: { field: `providers[${index}]`, provider: provider.id } });
    }
    if (provider.requires?.cache && !this.#context.cache) {
      throw new SdkError(
        "misconfigured",
        `Provider "${provider.id}" runs the OAuth lifecycle and needs a cache for access tokens and refresh locks: pass createSDK({ cache: new RedisCache(redis) }) (or new MemoryCache() in a single process).`,
        { details: { field: "cache", provider: provider.id } },
      );
    }
    if (provider.requires?.stateSecrets && this.#context.state.secrets.length === 0) {
      throw new SdkError("misconfigured", `Provider "${provider.id}" signs install state and needs createSDK({ state: { secrets: [{ id, secret }] } }).`, {
        details: { field: "state.secrets", provider: provider.id },
      });
    }
    this.#providers.set(provider.id, provider);
  }

  #provider(id: string, field: string): ProviderDefinition {
    const provider = this.#providers.get(id);
    if (!provider) {
      const registered = [...this.#providers.keys()];
      throw new SdkError("provider_not_found", `"${field}" names provider "${id}", which is not registered in createSDK({ providers }); registered: ${registered.map((known) => `"${known}"`).join(", ") || "none"}.`, {
        details: { field, provider: id, registered },
      });
    }
    return provider;
  }

  #unsupported(provider: ProviderDefinition, operation: string): never {
    throw new SdkError("unsupported_operation", `Provider "${provider.id}" (${provider.authType}) does not support ${operation}.`, {
      details: { provider: provider.id, operation },
    });
  }

  /** Registered provider ids. */
  get providerIds(): ProviderIdOf<P>[] {
    return [...this.#providers.keys()] as ProviderIdOf<P>[];
  }

  /** Builds the provider's install URL with a signed, single-use, browser-bound state. */
  async buildInstallUrl(input: BuildInstallUrlInput<ProviderIdOf<P>>): Promise<InstallUrlResult> {
    const parsed = parseInput(installUrlSchema, withoutNulls(input), "buildInstallUrl");
    const provider = this.#provider(parsed.provider, "buildInstallUrl.provider");
    if (!provider.buildInstallUrl) this.#unsupported(provider, "buildInstallUrl");
    return provider.buildInstallUrl(this.#context, parsed);
  }

  /**
   * Verifies the callback and exchanges the code. Pass the whole redirect `query` (or the explicit fields). The
   * returned integration is not persisted (call createConnection).
   */
  async handleInstallCallback<Id extends ProviderIdOf<P>>(input: HandleInstallCallbackInput<Id>): Promise<InstallCallbackResult<Id>> {
    const fields = typeof input === "object" && input !== null ? mergeCallbackQuery(input, "handleInstallCallback") : input;
    const parsed = parseInput(callbackSchema, fields, "handleInstallCallback");
    const provider = this.#provider(parsed.provider, "handleInstallCallback.provider");
    if (!provider.handleInstallCallback) this.#unsupported(provider, "handleInstallCallback");
    return provider.handleInstallCallback(this.#context, parsed) as Promise<InstallCallbackResult<Id>>;
  }

  /** Finishes a multi-site install with the site the user picked. */
  async completeSiteSelection(input: CompleteSiteSelectionInput): Promise<InstallCallbackResult<ProviderIdOf<P>>> {
    const parsed = parseInput(siteSelectionSchema, withoutNulls(input), "completeSiteSelection");
    const providerId = parsed.selection_id.slice(0, parsed.selection_id.indexOf("."));
    const provider = this.#provider(providerId, "completeSiteSelection.selection_id");
    if (!provider.completeSiteSelection) this.#unsupported(provider, "completeSiteSelection");
    return provider.completeSiteSelection(this.#context, parsed) as Promise<InstallCallbackResult<ProviderIdOf<P>>>;
  }

  /**
   * What a pending install (an install the service did not start, see `install_confirmation_required`) granted, for
   * a confirmation page. Takes nothing. Unknown or expired: `pending_install_expired`.
   */
  async getPendingInstall(input: PendingInstallLookup): Promise<PendingInstall> {
    const parsed = parseInput(pendingLookupSchema, input, "getPendingInstall");
    const provider = this.#pendingProvider(parsed.pending_install_id, "getPendingInstall.pending_install_id");
    return provider.getPendingInstall!(this.#context, parsed);
  }

  /**
   * Turns a pending install into an integration draft for the signed-in `user_id` and the `account_id` the caller
   * chose (pass it to createConnection). Call it only from a same-origin POST of the signed-in user. Exactly once:
   * a second confirm is `pending_install_already_confirmed`, a late one `pending_install_expired`.
   */
  async confirmPendingInstall(input: ConfirmPendingInstallInput): Promise<InstallCallbackResult<ProviderIdOf<P>>> {
    const parsed = parseInput(confirmPendingSchema, input, "confirmPendingInstall");
    const provider = this.#pendingProvider(parsed.pending_install_id, "confirmPendingInstall.pending_install_id");
    return provider.confirmPendingInstall!(this.#context, parsed) as Promise<InstallCallbackResult<ProviderIdOf<P>>>;
  }

  #pendingProvider(pendingInstallId: string, field: string): ProviderDefinition {
    const provider = this.#provider(pendingInstallId.slice(0, pendingInstallId.indexOf(".")), field);
    if (!provider.getPendingInstall || !provider.confirmPendingInstall) this.#unsupported(provider, "pending installs");
    return provider;
  }

  /**
   * Stores a connection: a callback's integration or non-OAuth credentials. Upserts on the provider's natural key:
   * a re-install updates credentials in place and sets `status` back to `active`.
   */
  async createConnection(input: IntegrationDraft & { provider: ProviderIdOf<P> }): Promise<IntegrationSummary> {
    const draft = parseInput(draftSchema, input, "createConnection");
    const provider = this.#provider(draft.provider, "createConnection.provider");
    if (draft.auth_type && draft.auth_type !== provider.authType) {
      throw new SdkError("validation_failed", `"createConnection.auth_type" is "${draft.auth_type}" but provider "${provider.id}" is ${provider.authType}.`, {
        details: { field: "createConnection.auth_type" },
      });
    }
    const metadata = provider.parseMetadata ? provider.parseMetadata(draft.metadata ?? {}, "createConnection.metadata") : (draft.metadata ?? {});
    const credentials = provider.parseCredentials(draft.credentials, "createConnection.credentials");
    const normalized: IntegrationDraft = { ...draft, auth_type: provider.authType, scopes: draft.scopes ?? [], credentials, metadata };
    const prepared = provider.prepareConnection ? await provider.prepareConnection(this.#context, normalized) : { draft: normalized };
    // Related records first: when one of them fails, nothing of this install is stored under the main record yet,
    // and a retry with the same draft converges (every write is an upsert on a natural key).
    for (const related of prepared.related ?? []) await (this as ConnectionManager).createConnection(related);
    const final = prepared.draft;
    const naturalKey = normalizeNaturalKey(provider.naturalKey?.({ metadata: final.metadata ?? {}, credentials: final.credentials }));
    const saved = await this.#serialize(`${provider.id}\u0000${final.account_id}\u0000${naturalKey ?? randomUUID()}`, () => this.#upsert(provider, final, naturalKey));
    try {
      await prepared.afterSave?.(saved);
    } catch (error) {
      // The record is stored: failing now would hide its id and invite a duplicate on retry. What afterSave does
      // (cache the first access token, sync grant siblings) is repaired by the next resolve or install.
      this.#logger.warn({ provider: provider.id, integration_id: saved.id, code: SdkError.is(error) ? error.code : "unknown" }, "post-save step failed; the connection is stored");
    }
    return toSummary(saved);
  }

  async #upsert(provider: ProviderDefinition, draft: IntegrationDraft, naturalKey: string | null): Promise<Integration> {
    const repository = this.#context.integrations;
    for (let attempt = 0; ; attempt++) {
      const existing = naturalKey ? await this.#findByNaturalKey(provider, draft.account_id, naturalKey) : undefined;
      if (!existing) {
        try {
          return await repository.create({
            id: randomUUID(),
            provider: provider.id,
            account_id: draft.account_id,
            created_by: draft.created_by,
            auth_type: provider.authType,
            status: "active",
            scopes: draft.scopes ?? [],
            credentials: draft.credentials,
            metadata: draft.metadata ?? {},
            natural_key: naturalKey,
          });
        } catch (error) {
          // Another process created the same natural key first (a store with a unique index says so): update that one.
          if (!naturalKey || !SdkError.is(error, "integration_exists") || attempt >= 4) throw error;
          continue;
        }
      }
      try {
        const updated = await repository.update(existing, {
          status: "active",
          scopes: draft.scopes ?? [],
          credentials: draft.credentials,
          metadata: { ...existing.metadata, ...draft.metadata },
          natural_key: naturalKey,
        });
        await this.#invalidate(provider, updated);
        if (existing.status !== "active") {
          this.events.emit("connection.recovered", { provider: provider.id, integration_id: existing.id, account_id: existing.account_id });
        }
        return updated;
      } catch (error) {
        if (!SdkError.is(error, "integration_conflict") || attempt >= 4) throw error;
      }
    }
  }

  /**
   * The record a re-install updates: by stored natural key, else a record written before natural keys existed
   * (1.x, `natural_key` null) whose metadata yields the same key — it gets its key on this write.
   */
  async #findByNaturalKey(provider: ProviderDefinition, accountId: string, naturalKey: string): Promise<Integration | undefined> {
    const repository = this.#context.integrations;
    const keyed = (await repository.list({ account_id: accountId, provider: provider.id, natural_key: naturalKey }))[0];
    if (keyed || !provider.naturalKey) return keyed;
    const records = await repository.list({ account_id: accountId, provider: provider.id });
    return records.find((record) => record.natural_key === null && normalizeNaturalKey(provider.naturalKey!({ metadata: record.metadata, credentials: record.credentials })) === naturalKey);
  }

  async #serialize<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = this.#upserts.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    this.#upserts.set(key, next);
    try {
      return await next;
    } finally {
      if (this.#upserts.get(key) === next) this.#upserts.delete(key);
    }
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
    const integrationId = isValidId(id) ? id : parseInput(idSchema, id, "resolveConnection.id");
    const generation = this.#context.integrations.writes + this.#invalidations;
    const running = this.#resolving.get(integrationId);
    if (running && running.generation === generation) {
      running.joiners += 1;
      return copyRuntime(await running.promise) as R;
    }
    const flight = { generation, joiners: 0, promise: this.#resolve(integrationId) };
    this.#resolving.set(integrationId, flight);
    try {
      const runtime = await flight.promise;
      // Joiners each clone the result, so this caller may keep the original only when nobody joined.
      return (flight.joiners > 0 ? copyRuntime(runtime) : runtime) as R;
    } finally {
      if (this.#resolving.get(integrationId) === flight) this.#resolving.delete(integrationId);
    }
  }

  async #resolve(integrationId: string): Promise<Runtime> {
    // Provider and account_id never change for an id: once seen, the provider's cache reads (the access token) start
    // together with the record read instead of after it.
    const identity = this.#identities.get(integrationId);
    const early = identity ? this.#providers.get(identity.provider) : undefined;
    const prefetched = identity && early?.prefetch ? early.prefetch(this.#context, identity) : undefined;
    // Settled here too: when the record read fails first, nobody else awaits it.
    prefetched?.catch(() => undefined);
    const integration = await this.#context.integrations.upgradeIfNeeded(integrationId, { tier: true });
    if (!integration) this.#identities.delete(integrationId);
    if (!integration) throw new SdkError("integration_not_found", `Integration "${integrationId}" does not exist.`, { details: { integration_id: integrationId } });
    this.#assertUsable(integration);
    const provider = this.#provider(integration.provider, "integration.provider");
    if (!identity) this.#remember(integration);
    const matches = identity !== undefined && identity.provider === integration.provider && identity.account_id === integration.account_id;
    return prefetched && matches ? provider.resolve(this.#context, integration, prefetched) : provider.resolve(this.#context, integration);
  }

  #remember(integration: Integration): void {
    // Bounded: past the limit the oldest half is forgotten (those ids just take one sequential read again).
    if (this.#identities.size >= MAX_IDENTITIES) {
      let drop = MAX_IDENTITIES / 2;
      for (const id of this.#identities.keys()) {
        if (drop-- <= 0) break;
        this.#identities.delete(id);
      }
    }
    this.#identities.set(integration.id, { id: integration.id, provider: integration.provider, account_id: integration.account_id });
  }

  /** Runs a provider's cache invalidation and dates it, so no resolve in flight from before it is shared after it. */
  async #invalidate(provider: ProviderDefinition, integration: Integration, options?: { rejectedAccessToken?: string; deleted?: boolean }): Promise<void> {
    try {
      await provider.invalidate?.(this.#context, integration, ...(options ? [options] : []));
    } finally {
      this.#invalidations += 1;
    }
  }

  #assertUsable(integration: Integration): void {
    if (integration.status === "needs_reauth") {
      throw new SdkError("reauth_required", `Integration "${integration.id}" needs the user to connect ${integration.provider} again.`, {
        details: { integration_id: integration.id, provider: integration.provider },
      });
    }
    if (integration.status === "revoked") {
      throw new SdkError("integration_revoked", `Integration "${integration.id}" was revoked; connect ${integration.provider} again.`, {
        details: { integration_id: integration.id, provider: integration.provider },
      });
    }
  }

  /** The integration without credentials (only their field names). Never decrypts. */
  async getConnection(id: string): Promise<IntegrationSummary> {
    const integrationId = parseInput(idSchema, id, "getConnection.id");
    const summary = await this.#context.integrations.summary(integrationId);
    if (!summary) throw new SdkError("integration_not_found", `Integration "${integrationId}" does not exist.`, { details: { integration_id: integrationId } });
    return summary;
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
    const { cursor, limit, ...filter } = parseInput(listSchema, input, "listConnections");
    if (cursor === undefined && limit === undefined) return this.#context.integrations.summaries(filter);
    return this.#page({ ...filter, cursor, limit }, "listConnections");
  }

  /**
   * Every connection of the fleet (optionally of one provider, status or account), a page at a time, as summaries
   * (never credentials). The cursor is stable and resumable: a connection that exists for the whole scan is
   * returned exactly once, whatever other writes happen meanwhile. A page may be short; stop when `cursor` is null.
   */
  async scanConnections(input: ScanInput = {}): Promise<ConnectionPage> {
    return this.#page(parseScanInput(input, "scanConnections"), "scanConnections");
  }

  /**
   * One page of the keep-alive sweep: refreshes the active OAuth connections whose access token expires within
   * `within` ms (or is no longer cached), or whose grant has been idle past the provider's limit (Atlassian: well
   * inside its 90 days), through the refresh lock. Run it from any number of workers at once: each due connection is
   * refreshed once. Loop with `cursor` until it is null; failures are counted per connection, never thrown.
   */
  async refreshDue(input: RefreshDueInput): Promise<RefreshDueResult> {
    return refreshDuePage(this.#context, this.#providers, input);
  }

  /**
   * Key rotation: re-encrypts every record whose credentials use a key other than the first of `encryption.keys`
   * (or 1.x plaintext), compare-and-set (a concurrent refresh wins and the record is retried, never clobbered).
   * Safe to run in several processes at once; resumable from `cursor`; `onProgress` after every page; `signal` stops
   * it. Once it returns `cursor: null` with `failed: 0`, the old key can be removed.
   */
  async reencryptConnections(input: ReencryptInput = {}): Promise<ReencryptProgress> {
    return reencryptAll(this.#context.integrations, this.#logger, input);
  }

  async #page(input: ScanInput, field: string): Promise<ConnectionPage> {
    const { records, cursor } = await scanPage(this.#context.integrations, input, field);
    return { items: records.map((record) => toSummary(record)), cursor };
  }

  /** Replaces the credentials of an api-key, basic or mapped-credentials integration and sets it `active`. */
  async updateCredentials(id: string, credentials: Record<string, unknown>): Promise<IntegrationSummary> {
    const integrationId = parseInput(idSchema, id, "updateCredentials.id");
    const raw = parseInput(jsonRecordSchema, credentials, "updateCredentials.credentials");
    const current = await this.#context.integrations.require(integrationId);
    const provider = this.#provider(current.provider, "integration.provider");
    if (provider.authType === "oauth2") this.#unsupported(provider, "updateCredentials (OAuth credentials come from the install flow)");
    const parsed = provider.parseCredentials(raw, "updateCredentials.credentials");
    const updated = await this.#context.integrations.update(current, { credentials: parsed, status: "active" });
    await this.#invalidate(provider, updated);
    if (current.status !== "active") {
      this.events.emit("connection.recovered", { provider: provider.id, integration_id: current.id, account_id: current.account_id });
    }
    return toSummary(updated);
  }

  /** Drops the cached access token so the next resolve refreshes. */
  async invalidateConnection(id: string): Promise<void> {
    const integrationId = parseInput(idSchema, id, "invalidateConnection.id");
    const integration = await this.#context.integrations.require(integrationId);
    await this.#invalidate(this.#provider(integration.provider, "integration.provider"), integration);
  }

  /** Revokes at the provider when asked and supported, then drops cache keys and the record. */
  async deleteConnection(id: string, options?: { revoke?: boolean }): Promise<{ deleted: boolean; revoked: boolean }> {
    const integrationId = parseInput(idSchema, id, "deleteConnection.id");
    const { revoke = false } = parseInput(deleteSchema, options, "deleteConnection.options") ?? {};
    const integration = await this.#context.integrations.get(integrationId);
    if (!integration) return { deleted: false, revoked: false };
    // A record of a provider no longer registered can still be deleted; only revoking needs the provider.
    const provider = revoke ? this.#provider(integration.provider, "integration.provider") : this.#providers.get(integration.provider);
    let revoked = false;
    if (revoke && provider?.revoke && integration.status !== "revoked") {
      await provider.revoke(this.#context, integration);
      revoked = true;
    }
    if (provider) await this.#invalidate(provider, integration, { deleted: true });
    const deleted = await this.#context.integrations.delete(integrationId);
    this.events.emit("connection.deleted", { provider: integration.provider, integration_id: integration.id, account_id: integration.account_id, revoked });
    return { deleted, revoked };
  }

  /** Verifies a provider webhook (its signature) and applies it, e.g. an uninstall marks the integration `revoked`. */
  async handleWebhook(input: WebhookInput & { provider: ProviderIdOf<P> }): Promise<WebhookResult> {
    const parsed = parseInput(webhookSchema, input, "handleWebhook");
    const provider = this.#provider(parsed.provider, "handleWebhook.provider");
    if (!provider.handleWebhook) this.#unsupported(provider, "handleWebhook");
    return provider.handleWebhook(this.#context, parsed as WebhookInput);
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
    const integrationId = parseInput(idSchema, id, "fetch.id");
    const input = await readFetchInput(path, init);
    const target = parseInput(fetchPathSchema, input.path, "fetch.path");
    const request = parseInput(fetchInitSchema, input.init, "fetch.init") ?? {};
    const given = callerHeaders(request.headers);
    let runtime = await this.resolveConnection<Runtime>(integrationId);
    const response = await this.#send(runtime, target, request, given);
    if (!isReplayableBody(request.body) || !(await this.#refusesCredentials(runtime, response))) return response;
    const integration = await this.#context.integrations.get(integrationId);
    const provider = integration ? this.#providers.get(integration.provider) : undefined;
    if (!integration || provider?.authType !== "oauth2" || !provider.invalidate) return response;
    const rejected = typeof runtime.access_token === "string" ? runtime.access_token : undefined;
    if (await this.#refreshCannotCure(provider, response, rejected)) return response;
    await discard(response);
    await this.#invalidate(provider, integration, rejected ? { rejectedAccessToken: rejected } : {});
    runtime = await this.resolveConnection<Runtime>(integrationId);
    if (typeof runtime.access_token === "string" && runtime.access_token !== rejected) await this.#curedTokens.remember(runtime.access_token, runtime.expires_at);
    return this.#send(runtime, target, request, given);
  }

  /**
   * A refusal that a refresh cannot cure goes back to the caller as it is: the provider recognises it (Atlassian's
   * 401 "scope does not match"), or the refused token itself came from a refresh that a refusal caused. So N calls
   * refresh at most once per token, instead of rotating the grant on every call.
   */
  async #refreshCannotCure(provider: ProviderDefinition, response: Response, rejected: string | undefined): Promise<boolean> {
    if (rejected !== undefined && (await this.#curedTokens.has(rejected))) return true;
    if (!provider.refreshCannotCure) return false;
    return provider.refreshCannotCure(response.clone()).catch(() => false);
  }

  /**
   * A standard `fetch` bound to one connection, for API clients that take a fetch function:
   * `new WebClient(undefined, { fetch: sdk.fetcher(id) })`, `createClient({ fetch: sdk.fetcher(id) })`. It accepts a
   * path, a URL or a Request and behaves as `sdk.fetch(id, ...)`: credentials injected, inside the base URL only, a
   * refused token refreshed once and the request retried once (unless a refresh cannot cure the refusal).
   */
  fetcher(id: string): (input: FetchInput, init?: RequestInit) => Promise<Response> {
    const integrationId = parseInput(idSchema, id, "fetcher.id");
    return (input, init) => this.fetch(integrationId, input, init);
  }

  /** A 401, or a provider's own way of refusing credentials (Slack: HTTP 200 `ok:false, token_expired`). */
  async #refusesCredentials(runtime: Runtime, response: Response): Promise<boolean> {
    if (response.status === 401) return true;
    const check = this.#providers.get(runtime.provider)?.rejectsCredentials;
    if (!check) return false;
    return check(response.clone()).catch(() => false);
  }

  async #send(runtime: Runtime, target: string, init: RequestInit, given: Headers): Promise<Response> {
    let url = this.#url(runtime, target);
    const origin = url.origin;
    const headers = withCredentials(given, runtime);
    const mode = init.redirect ?? "follow";
    let method = init.method;
    let body = init.body;
    for (let hop = 0; ; hop++) {
      const response = await this.#context.fetch(url.toString(), { ...init, method, body, headers, redirect: "manual" });
      const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get("location") : null;
      if (mode === "manual" || location === null) return response;
      if (mode === "error") {
        await discard(response);
        throw new SdkError("provider_error", `The API answered ${response.status} (a redirect) and "fetch.init.redirect" is "error".`, {
          details: { field: "fetch.init.redirect", status: response.status },
        });
      }
      const next = new URL(location, url);
      if (next.origin !== origin || hop >= MAX_REDIRECTS) return response;
      try {
        checkRedirectTarget(runtime.api_base_url!, location, next, response.status);
      } catch (error) {
        await discard(response);
        throw error;
      }
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method?.toUpperCase() === "POST")) {
        if (method?.toUpperCase() !== "HEAD") method = "GET";
        body = undefined;
      } else if (!isReplayableBody(body)) {
        return response;
      }
      await discard(response);
      url = next;
    }
  }

  #url(runtime: Runtime, target: string): URL {
    const base = runtime.api_base_url;
    if (!base) {
      throw new SdkError("unsupported_operation", `Provider "${runtime.provider}" gives no api_base_url; call fetch yourself with resolveConnection().headers.`, {
        details: { provider: runtime.provider },
      });
    }
    return resolveFetchTarget(base, target);
  }

  /** Releases what the SDK itself holds. Stores wrap clients the caller owns and are never closed here. */
  async close(): Promise<void> {
    this.#upserts.clear();
  }
}

/**
 * A caller's own copy of a shared runtime: plain objects and arrays are copied all the way down, anything else
 * (a function or class instance a provider put in its runtime) is shared as it is, where structuredClone would throw.
 */
function copyRuntime<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => copyRuntime(item) as unknown) as T;
  if (value === null || typeof value !== "object") return value;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = copyRuntime(item);
  return copy as T;
}

// `Headers` quotes an invalid value in its error message; for credentials that value is the secret, so the
// TypeError is replaced by one that names the header only.
function callerHeaders(given: HeadersInit | undefined): Headers {
  try {
    return new Headers(given);
  } catch {
    throw new SdkError("validation_failed", `"fetch.init.headers" holds a name or value that is not valid in HTTP (the value is not shown).`, {
      details: { field: "fetch.init.headers" },
    });
  }
}

function withCredentials(given: Headers, runtime: Runtime): Headers {
  const headers = new Headers(given);
  for (const [name, value] of Object.entries(runtime.headers ?? {})) {
    try {
      headers.set(name, value);
    } catch {
      throw new SdkError("validation_failed", `Header "${name}" built from the credentials of integration "${runtime.integration_id}" is not a valid HTTP header value (the value is not shown); update the credentials.`, {
        details: { field: `runtime.headers.${name}`, integration_id: runtime.integration_id, provider: runtime.provider },
      });
    }
  }
  return headers;
}
