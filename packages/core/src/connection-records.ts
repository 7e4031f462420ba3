// The connection records as the SDK's methods see them: create (an upsert on the provider's natural key, serialised
// per key in this process), read as summaries (one, an account's, fleet pages), update static credentials,
// invalidate, delete (revoke first when asked), and the fleet operations (keep-alive sweep, key rotation).
import { randomUUID } from "node:crypto";
import { parseScanInput, scanPage, type ConnectionPage, type ListInput, type ScanInput } from "./connection-scan.js";
import { describeCredentials, type CredentialDescription } from "./describe-credentials.js";
import { toSummary, type Integration, type IntegrationDraft, type IntegrationSummary } from "./integration.js";
import { parseInput } from "./parse-input.js";
import type { ProviderContext, ProviderDefinition } from "./provider.js";
import { unsupported, type ProviderRegistry } from "./provider-registry.js";
import { backfillNaturalKeys, providerGrantKey, normalizeNaturalKey, type NaturalKeyBackfillInput, type NaturalKeyBackfillResult } from "./backfill-natural-keys.js";
import { reencryptAll, type ReencryptInput, type ReencryptProgress } from "./reencrypt-connections.js";
import { refreshDuePage, type RefreshDueInput, type RefreshDueResult } from "./refresh-due.js";
import type { ResolveFlight } from "./resolve-flight.js";
import { idSchema, jsonRecordSchema } from "./schemas.js";
import { deleteSchema, draftSchema, listSchema } from "./sdk-input-schemas.js";
import { SdkError } from "./sdk-error.js";

/** `{ grant_key }` for a new record whose provider derives one; nothing otherwise (the record holds no key). */
function grantKeyField(provider: ProviderDefinition, metadata: Record<string, unknown>, credentials: Record<string, unknown>): { grant_key?: string } {
  const key = providerGrantKey(provider, metadata, credentials);
  return key === null ? {} : { grant_key: key };
}

export class ConnectionRecords {
  readonly #context: ProviderContext;
  readonly #providers: ProviderRegistry;
  readonly #flight: ResolveFlight;
  readonly #upserts = new Map<string, Promise<unknown>>();

  constructor(context: ProviderContext, providers: ProviderRegistry, flight: ResolveFlight) {
    this.#context = context;
    this.#providers = providers;
    this.#flight = flight;
  }

  async create(input: IntegrationDraft): Promise<IntegrationSummary> {
    const draft = parseInput(draftSchema(), input, "createConnection");
    const provider = this.#providers.get(draft.provider, "createConnection.provider");
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
    for (const related of prepared.related ?? []) await this.create(related);
    const final = prepared.draft;
    const naturalKey = normalizeNaturalKey(provider.naturalKey?.({ metadata: final.metadata ?? {}, credentials: final.credentials }));
    const saved = await this.#serialize(`${provider.id}\u0000${final.account_id}\u0000${naturalKey ?? randomUUID()}`, () => this.#upsert(provider, final, naturalKey));
    try {
      await prepared.afterSave?.(saved);
    } catch (error) {
      // The record is stored: failing now would hide its id and invite a duplicate on retry. What afterSave does
      // (cache the first access token, sync grant siblings) is repaired by the next resolve or install.
      this.#context.logger.warn({ provider: provider.id, integration_id: saved.id, code: SdkError.is(error) ? error.code : "unknown" }, "post-save step failed; the connection is stored");
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
            ...grantKeyField(provider, draft.metadata ?? {}, draft.credentials),
          });
        } catch (error) {
          // Another process created the same natural key first (a store with a unique index says so): update that one.
          if (!naturalKey || !SdkError.is(error, "integration_exists") || attempt >= 4) throw error;
          continue;
        }
      }
      try {
        const metadata = { ...existing.metadata, ...draft.metadata };
        const updated = await repository.update(existing, {
          status: "active",
          scopes: draft.scopes ?? [],
          credentials: draft.credentials,
          metadata,
          natural_key: naturalKey,
          // The merged metadata decides: a re-install that proves a 1.x record's user gives it that user's grant key.
          ...(provider.grantKey ? { grant_key: providerGrantKey(provider, metadata, draft.credentials) } : {}),
        });
        await this.#flight.invalidate(provider, updated);
        if (existing.status !== "active") {
          this.#context.events.emit("connection.recovered", { provider: provider.id, integration_id: existing.id, account_id: existing.account_id });
        }
        return updated;
      } catch (error) {
        if (!SdkError.is(error, "integration_conflict") || attempt >= 4) throw error;
      }
    }
  }

  /**
   * The record a re-install updates: one indexed lookup by stored natural key, whatever the size of the account.
   * Records written before natural keys existed (1.x) get theirs once from `backfillNaturalKeys` (MIGRATION.md).
   */
  async #findByNaturalKey(provider: ProviderDefinition, accountId: string, naturalKey: string): Promise<Integration | undefined> {
    return (await this.#context.integrations.list({ account_id: accountId, provider: provider.id, natural_key: naturalKey }))[0];
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

  async get(id: string): Promise<IntegrationSummary> {
    const integrationId = parseInput(idSchema(), id, "getConnection.id");
    const summary = await this.#context.integrations.summary(integrationId);
    if (!summary) throw new SdkError("integration_not_found", `Integration "${integrationId}" does not exist.`, { details: { integration_id: integrationId } });
    return summary;
  }

  /** `sdk.describeCredentials`: credential metadata without a secret (see describe-credentials.ts). */
  async describe(id: string): Promise<CredentialDescription> {
    const integrationId = parseInput(idSchema(), id, "describeCredentials.id");
    const sealed = await this.#context.integrations.sealed(integrationId);
    if (!sealed) throw new SdkError("integration_not_found", `Integration "${integrationId}" does not exist.`, { details: { integration_id: integrationId } });
    return describeCredentials(this.#context, sealed, this.#providers.find(sealed.provider));
  }

  async list(input: ListInput): Promise<IntegrationSummary[] | ConnectionPage> {
    const { cursor, limit, ...filter } = parseInput(listSchema(), input, "listConnections");
    if (cursor === undefined && limit === undefined) return this.#context.integrations.summaries(filter);
    return this.#page({ ...filter, cursor, limit }, "listConnections");
  }

  async scan(input: ScanInput): Promise<ConnectionPage> {
    return this.#page(parseScanInput(input, "scanConnections"), "scanConnections");
  }

  async #page(input: ScanInput, field: string): Promise<ConnectionPage> {
    const { records, cursor } = await scanPage(this.#context.integrations, input, field);
    return { items: records.map((record) => toSummary(record)), cursor };
  }

  async refreshDue(input: RefreshDueInput): Promise<RefreshDueResult> {
    return refreshDuePage(this.#context, this.#providers.all, input);
  }

  async reencrypt(input: ReencryptInput): Promise<ReencryptProgress> {
    return reencryptAll(this.#context.integrations, this.#context.logger, input);
  }

  async backfillNaturalKeys(input: NaturalKeyBackfillInput): Promise<NaturalKeyBackfillResult> {
    return backfillNaturalKeys(this.#context.integrations, this.#providers.all, this.#context.logger, input);
  }

  async updateCredentials(id: string, credentials: Record<string, unknown>): Promise<IntegrationSummary> {
    const integrationId = parseInput(idSchema(), id, "updateCredentials.id");
    const raw = parseInput(jsonRecordSchema(), credentials, "updateCredentials.credentials");
    const current = await this.#context.integrations.require(integrationId);
    const provider = this.#providers.get(current.provider, "integration.provider");
    if (provider.authType === "oauth2") unsupported(provider, "updateCredentials (OAuth credentials come from the install flow)");
    const parsed = provider.parseCredentials(raw, "updateCredentials.credentials");
    const updated = await this.#context.integrations.update(current, { credentials: parsed, status: "active" });
    await this.#flight.invalidate(provider, updated);
    if (current.status !== "active") {
      this.#context.events.emit("connection.recovered", { provider: provider.id, integration_id: current.id, account_id: current.account_id });
    }
    return toSummary(updated);
  }

  async invalidate(id: string): Promise<void> {
    const integrationId = parseInput(idSchema(), id, "invalidateConnection.id");
    const integration = await this.#context.integrations.require(integrationId);
    await this.#flight.invalidate(this.#providers.get(integration.provider, "integration.provider"), integration);
  }

  async delete(id: string, options?: { revoke?: boolean }): Promise<{ deleted: boolean; revoked: boolean }> {
    const integrationId = parseInput(idSchema(), id, "deleteConnection.id");
    const { revoke = false } = parseInput(deleteSchema(), options, "deleteConnection.options") ?? {};
    const integration = await this.#context.integrations.get(integrationId);
    if (!integration) return { deleted: false, revoked: false };
    // A record of a provider no longer registered can still be deleted; only revoking needs the provider.
    const provider = revoke ? this.#providers.get(integration.provider, "integration.provider") : this.#providers.find(integration.provider);
    let revoked = false;
    if (revoke && provider?.revoke && integration.status !== "revoked") {
      revoked = (await provider.revoke(this.#context, integration)) !== false;
    }
    if (provider) await this.#flight.invalidate(provider, integration, { deleted: true });
    const deleted = await this.#context.integrations.delete(integrationId);
    this.#context.events.emit("connection.deleted", { provider: integration.provider, integration_id: integration.id, account_id: integration.account_id, revoked });
    return { deleted, revoked };
  }

  /** Forgets the in-process upsert queue (`sdk.close()`). */
  clear(): void {
    this.#upserts.clear();
  }
}

