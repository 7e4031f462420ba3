// @sdk/core/provider-kit: what authors of provider packages and stores need on top of the service API of `@sdk/core`
// (ProviderDefinition, PersistentStore, CacheStore stay there): the plugin context, the record repository, the
// credential cipher, the cache key formats, input parsing and its zod building blocks (memoized getters: zod loads on
// first use, never at import; build a package's own schemas with `lazySchema`). Services never import it.
export type {
  InstallCallbackInput,
  InstallUrlInput,
  IntegrationIdentity,
  PreparedConnection,
  ProviderContext,
  RefreshDueOutcome,
  RuntimeFields,
  SiteSelectionInput,
  StateConfig,
} from "./provider.js";
export { IntegrationRepository, bindingOf, type IntegrationChanges } from "./integration-repository.js";
export { readStoredRecord, matchesFilter, type IntegrationFilter, type IntegrationPatch } from "./integration.js";
export type { ReadOptions, StoreScanPage, StoreScanQuery, UpdateOptions } from "./persistent-store.js";
export { CredentialCipher, ROUTING_METADATA, isEnvelope, type CipherContext, type CredentialCipherOptions, type Envelope, type RecordBinding } from "./credential-cipher.js";
export { accessTokenKey, refreshLockKey, internalKey } from "./cache-keys.js";
export { parseInput, parseOptions, formatPath, fromStandardSchema } from "./parse-input.js";
export { lazySchema, zod } from "./lazy-zod.js";
export type { StandardSchemaIssue, StandardSchemaOutput, StandardSchemaPathSegment, StandardSchemaProps, StandardSchemaResult, StandardSchemaV1 } from "./standard-schema.js";
export { callbackFields } from "./callback-query.js";
export { webhookHeader } from "./webhook-header.js";
export { idSchema, providerIdSchema, scopeSchema, jsonRecordSchema, secretSchema, headerSecretSchema, urlSchema } from "./schemas.js";
export { otelApi, isNoopTelemetry, telemetryErrorType, traced, type TelemetryAttributes } from "./telemetry.js";
