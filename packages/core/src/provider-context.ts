// Builds the one `ProviderContext` an SDK instance hands to its providers from the validated `createSDK` options:
// the record repository over the store and cipher, the guarded cache, the clock, fetch, logger and state settings.
// It holds no state of its own beyond what it builds.
import type { CacheStore } from "./cache-store.js";
import { CredentialCipher } from "./credential-cipher.js";
import { guardedCache } from "./guarded-cache.js";
import { IntegrationRepository } from "./integration-repository.js";
import type { Logger } from "./logger.js";
import type { ProviderContext, StateConfig } from "./provider.js";
import { SdkError } from "./sdk-error.js";
import type { SdkEvents } from "./sdk-events.js";
import type { SdkOptions } from "./sdk-options.js";
import { warnPlaintext } from "./warn-plaintext.js";

export function createProviderContext(options: SdkOptions, logger: Logger, events: SdkEvents): ProviderContext {
  const now = options.now ?? Date.now;
  const encryption = options.encryption;
  const cipher = new CredentialCipher(encryption?.keys ?? [], { requireEncrypted: encryption?.plaintext === true ? false : encryption?.requireEncrypted });
  if (!cipher.enabled) warnPlaintext(logger);
  const cache: CacheStore | undefined = options.cache ? guardedCache(options.cache) : undefined;
  const state: StateConfig = {
    secrets: options.state?.secrets ?? [],
    browserBinding: options.state?.browserBinding ?? "required",
    ttlSeconds: options.state?.ttlSeconds ?? 600,
  };
  return {
    integrations: new IntegrationRepository(options.store, cipher, now, logger),
    cache,
    now,
    fetch: options.fetch ?? globalThis.fetch,
    logger,
    events,
    cipher,
    accessTokenCache: cipher.enabled && encryption?.plaintext !== true && encryption?.accessTokenCache !== "plaintext" ? "encrypted" : "plaintext",
    state,
    keyPrefix: options.keyPrefix ?? "sdk",
    requireCache: () => {
      if (!cache) throw new SdkError("misconfigured", "This operation needs a cache: pass createSDK({ cache }).", { details: { field: "cache" } });
      return cache;
    },
  };
}
