// @sdk/core public surface for services: createSDK / ConnectionManager, its options, inputs and results, errors,
// events, the static strategies and the embedded in-memory stores. What only provider and store authors need (the
// plugin context, record repository, cipher, cache keys, input parsing) is `@sdk/core/provider-kit` (provider-kit.ts).
export { createSDK, type SDK } from "./create-sdk.js";
export { ConnectionManager } from "./connection-manager.js";
export { MAX_PAGE_LIMIT, type ConnectionPage, type ListInput, type ScanInput, type ScanFilter } from "./connection-scan.js";
export type { EncryptionKeyOptions, EncryptionOptions, SdkOptions } from "./sdk-options.js";
export type { BuildInstallUrlInput, CompleteSiteSelectionInput, Given, HandleInstallCallbackInput } from "./sdk-inputs.js";
export type { CallbackQuery } from "./callback-query.js";
export type { FetchInput } from "./fetch-input.js";
export type { CredentialDescription, CredentialFieldView, TokenChainView } from "./describe-credentials.js";
export type { TokenSource } from "./token-source.js";
export { browserBindingCookie, type BrowserBindingCookie, type BrowserBindingCookieOptions } from "./browser-binding-cookie.js";
export { SdkError, SDK_ERROR_CODES, type SdkErrorCode, type SdkErrorDetails, type SdkErrorDetailsBase, type SdkErrorDetailsMap, type SdkErrorOptions, type ValidationIssue } from "./sdk-error.js";
export { SdkEvents, SDK_EVENT_NAMES, type SdkEventMap, type SdkEventName, type SdkEventHandler } from "./sdk-events.js";
export { silentLogger, redactingLogger, type Logger } from "./logger.js";
export {
  AUTH_TYPES,
  INTEGRATION_STATUSES,
  type AuthType,
  type Integration,
  type IntegrationDraft,
  type IntegrationStatus,
  type IntegrationSummary,
} from "./integration.js";
export type { PersistentStore } from "./persistent-store.js";
export type { CacheStore } from "./cache-store.js";
export { MemoryStore } from "./memory-store.js";
export { MemoryCache, type MemoryCacheOptions } from "./memory-cache.js";
export type { EncryptionKey } from "./credential-cipher.js";
export type {
  InstallCallbackResult,
  InstallUrlResult,
  PendingInstall,
  PendingInstallLookup,
  ConfirmPendingInstallInput,
  ProviderDefinition,
  ProviderIdOf,
  ProviderInput,
  RegisteredProvider,
  Runtime,
  RuntimeOf,
  StateSecret,
  WebhookInput,
  WebhookResult,
} from "./provider.js";
export type { RefreshDueInput, RefreshDueResult } from "./refresh-due.js";
export type { CheckHealthInput, HealthCheck, HealthReport } from "./check-health.js";
export type { HealthStatus, StoreHealthCheck } from "./store-health-check.js";
export type { ReencryptInput, ReencryptProgress } from "./reencrypt-connections.js";
export type { NaturalKeyBackfillInput, NaturalKeyBackfillResult } from "./backfill-natural-keys.js";
export type { StaticProviderOptions } from "./static-provider.js";
export type { StandardSchemaIssue, StandardSchemaPathSegment, StandardSchemaProps, StandardSchemaResult, StandardSchemaV1 } from "./standard-schema.js";
export { defineApiKeyProvider, type ApiKeyProviderOptions, type ApiKeyRuntime } from "./define-api-key-provider.js";
export { defineBasicProvider, type BasicRuntime } from "./define-basic-provider.js";
export { defineMappedCredentialsProvider, type MappedCredentialsProviderOptions, type MappedRuntimeFields } from "./define-mapped-credentials-provider.js";

import type { PersistentStore } from "./persistent-store.js";
/** @deprecated 1.x name: use `PersistentStore`. */
export type IStorageProvider = PersistentStore;
