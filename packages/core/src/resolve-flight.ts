// The resolve path of `sdk.resolveConnection`: concurrent resolves of one integration in this process share one
// flight (one record read, one cache read), the provider's cache reads start with the record read once its identity
// is known, and every cache invalidation is dated so that no flight from before it is shared after it.
import type { Integration } from "./integration.js";
import type { IntegrationIdentity, ProviderContext, ProviderDefinition, Runtime } from "./provider.js";
import type { ProviderRegistry } from "./provider-registry.js";
import { SdkError } from "./sdk-error.js";
import { traced } from "./telemetry.js";

/** The instrumentation scope of core's spans. */
const SCOPE = "@sdk/core";

/** What a resolve's span says about its result: the provider, never a credential. */
const describeRuntime = (runtime: Runtime) => ({ "sdk.provider": runtime.provider });

/** Integration identities remembered for prefetching (about 150 bytes each). */
const MAX_IDENTITIES = 100_000;

export class ResolveFlight {
  readonly #context: ProviderContext;
  readonly #providers: ProviderRegistry;
  /** Resolves in flight per integration id, shared by callers that arrive while one runs. */
  readonly #resolving = new Map<string, { generation: number; joiners: number; promise: Promise<Runtime> }>();
  /** Integration id -> provider and account_id (which never change), for the prefetch of a resolve. */
  readonly #identities = new Map<string, IntegrationIdentity>();
  /** Counts cache invalidations this instance made; with the repository's write count it dates a resolve in flight. */
  #invalidations = 0;

  constructor(context: ProviderContext, providers: ProviderRegistry) {
    this.#context = context;
    this.#providers = providers;
  }

  /**
   * The runtime of a valid integration id. A call joins only a flight that started after this instance's last write
   * or cache invalidation, so it never sees state older than its own process's last change. Each caller gets its own
   * copy of the runtime.
   */
  async resolve(integrationId: string): Promise<Runtime> {
    const generation = this.#context.integrations.writes + this.#invalidations;
    const running = this.#resolving.get(integrationId);
    if (running && running.generation === generation) {
      running.joiners += 1;
      return copyRuntime(await running.promise);
    }
    const flight = { generation, joiners: 0, promise: traced(SCOPE, "sdk.resolve", { "sdk.integration_id": integrationId }, () => this.#resolve(integrationId), "internal", describeRuntime) };
    this.#resolving.set(integrationId, flight);
    try {
      const runtime = await flight.promise;
      // Joiners each clone the result, so this caller may keep the original only when nobody joined.
      return flight.joiners > 0 ? copyRuntime(runtime) : runtime;
    } finally {
      if (this.#resolving.get(integrationId) === flight) this.#resolving.delete(integrationId);
    }
  }

  /** Runs a provider's cache invalidation and dates it, so no resolve in flight from before it is shared after it. */
  async invalidate(provider: ProviderDefinition, integration: Integration, options?: { rejectedAccessToken?: string; deleted?: boolean }): Promise<void> {
    try {
      await provider.invalidate?.(this.#context, integration, ...(options ? [options] : []));
    } finally {
      this.#invalidations += 1;
    }
  }

  async #resolve(integrationId: string): Promise<Runtime> {
    // Provider and account_id never change for an id: once seen, the provider's cache reads (the access token) start
    // together with the record read instead of after it.
    const identity = this.#identities.get(integrationId);
    const early = identity ? this.#providers.find(identity.provider) : undefined;
    const prefetched = identity && early?.prefetch ? early.prefetch(this.#context, identity) : undefined;
    // Settled here too: when the record read fails first, nobody else awaits it.
    prefetched?.catch(() => undefined);
    const integration = await this.#context.integrations.upgradeIfNeeded(integrationId, { tier: true });
    if (!integration) this.#identities.delete(integrationId);
    if (!integration) throw new SdkError("integration_not_found", `Integration "${integrationId}" does not exist.`, { details: { integration_id: integrationId } });
    assertUsable(integration);
    const provider = this.#providers.get(integration.provider, "integration.provider");
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
}

function assertUsable(integration: Integration): void {
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
