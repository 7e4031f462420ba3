// The providers one SDK instance was built with: registration (each checked against what it requires of
// `createSDK`, e.g. a cache or state secrets) and lookup by id with the errors a caller sees (`provider_not_found`,
// `unsupported_operation`). It never calls a provider.
import { parseInput } from "./parse-input.js";
import type { ProviderDefinition, ProviderInput, StateConfig } from "./provider.js";
import { providerIdSchema } from "./schemas.js";
import { SdkError } from "./sdk-error.js";

/** What a provider may require of `createSDK`, as the registry checks it. */
export interface RegistryRequirements {
  hasCache: boolean;
  state: StateConfig;
}

export class ProviderRegistry {
  readonly #providers = new Map<string, ProviderDefinition>();

  constructor(entries: readonly ProviderInput[], requirements: RegistryRequirements) {
    for (const [index, entry] of entries.entries()) {
      const list = Array.isArray(entry) ? entry : [entry];
      for (const provider of list as ProviderDefinition[]) this.#register(provider, index, requirements);
    }
  }

  #register(provider: ProviderDefinition, index: number, requirements: RegistryRequirements): void {
    if (!provider || typeof provider !== "object" || typeof provider.id !== "string" || typeof provider.resolve !== "function") {
      throw new SdkError("misconfigured", `createSDK option "providers[${index}]" is not a provider definition.`, { details: { field: `providers[${index}]` } });
    }
    parseInput(providerIdSchema(), provider.id, `providers[${index}].id`);
    if (this.#providers.has(provider.id)) {
      throw new SdkError("misconfigured", `Provider "${provider.id}" is registered twice.`, { details: { field: `providers[${index}]`, provider: provider.id } });
    }
    if (provider.requires?.cache && !requirements.hasCache) {
      throw new SdkError(
        "misconfigured",
        `Provider "${provider.id}" runs the OAuth lifecycle and needs a cache for access tokens and refresh locks: pass createSDK({ cache: new RedisCache(redis) }) (or new MemoryCache() in a single process).`,
        { details: { field: "cache", provider: provider.id } },
      );
    }
    if (provider.requires?.stateSecrets && requirements.state.secrets.length === 0) {
      throw new SdkError("misconfigured", `Provider "${provider.id}" signs install state and needs createSDK({ state: { secrets: [{ id, secret }] } }).`, {
        details: { field: "state.secrets", provider: provider.id },
      });
    }
    this.#providers.set(provider.id, provider);
  }

  /** Registered ids, in registration order. */
  get ids(): string[] {
    return [...this.#providers.keys()];
  }

  /** Every registered provider by id (the keep-alive sweep asks each connection's provider). */
  get all(): ReadonlyMap<string, ProviderDefinition> {
    return this.#providers;
  }

  /** The provider, or undefined: for records whose provider may no longer be registered. */
  find(id: string): ProviderDefinition | undefined {
    return this.#providers.get(id);
  }

  /** The provider, or `provider_not_found` naming `field` and the registered ids. */
  get(id: string, field: string): ProviderDefinition {
    const provider = this.#providers.get(id);
    if (!provider) {
      const registered = this.ids;
      throw new SdkError("provider_not_found", `"${field}" names provider "${id}", which is not registered in createSDK({ providers }); registered: ${registered.map((known) => `"${known}"`).join(", ") || "none"}.`, {
        details: { field, provider: id, registered },
      });
    }
    return provider;
  }

  /** The provider behind an id the SDK handed out as `{provider}.{random}` (selection ids, pending install ids). */
  forPrefixedId(prefixedId: string, field: string): ProviderDefinition {
    return this.get(prefixedId.slice(0, prefixedId.indexOf(".")), field);
  }
}

/** `unsupported_operation`: the provider does not implement `operation`. */
export function unsupported(provider: ProviderDefinition, operation: string): never {
  throw new SdkError("unsupported_operation", `Provider "${provider.id}" (${provider.authType}) does not support ${operation}.`, {
    details: { provider: provider.id, operation },
  });
}
