// @sdk/core public surface: contracts, createSDK / ConnectionManager, errors, events, static strategies,
// encryption and the embedded in-memory stores. Nothing here knows a concrete provider or driver.
export { createSDK, type SDK } from "./create-sdk.js";
export { ConnectionManager } from "./connection-manager.js";
export { MAX_PAGE_LIMIT, type ConnectionPage, type ListInput, type ScanInput, type ScanFilter } from "./connection-scan.js";
export type { EncryptionKeyOptions, EncryptionOptions, SdkOptions } from "./sdk-options.js";
export type { BuildInstallUrlInput, CompleteSiteSelectionInput, Given, HandleInstallCallbackInput } from "./sdk-inputs.js";
export { callbackFields, type CallbackQuery } from "./callback-query.js";
export type { FetchInput } from "./fetch-input.js";
export { browserBindingCookie, type BrowserBindingCookie, type BrowserBindingCookieOptions } from "./browser-binding-cookie.js";
export { SdkError, SDK_ERROR_CODES, type SdkErrorCode, type SdkErrorDetails, type SdkErrorDetailsBase, type SdkErrorDetailsMap, type SdkErrorOptions, type ValidationIssue } from "./sdk-error.js";
export { SdkEvents, SDK_EVENT_NAMES, type SdkEventMap, type SdkEventName, type SdkEventHandler } from "./sdk-events.js";
export { silentLogger, redactingLogger, type Logger } from "./logger.js";
export {
  AUTH_TYPES,
  INTEGRATION_STATUSES,
  readStoredRecord,
  matchesFilter,
  type AuthType,
  type Integration,
  type IntegrationDraft,
  type IntegrationFilter,
  type IntegrationPatch,
  type IntegrationStatus,
  type IntegrationSummary,
} from "./integration.js";
export type { PersistentStore, ReadOptions, StoreScanPage, StoreScanQuery, UpdateOptions } from "./persistent-store.js";
export type { CacheStore } from "./cache-store.js";
export { MemoryStore } from "./memory-store.js";
export { MemoryCache, type MemoryCacheOptions } from "./memory-cache.js";
export { IntegrationRepository, bindingOf, type IntegrationChanges } from "./integration-repository.js";
export { CredentialCipher, ROUTING_METADATA, isEnvelope, type CipherContext, type CredentialCipherOptions, type EncryptionKey, type Envelope, type RecordBinding } from "./credential-cipher.js";
export { accessTokenKey, refreshLockKey, internalKey } from "./cache-keys.js";
export { parseInput, formatPath } from "./parse-input.js";
export { webhookHeader } from "./webhook-header.js";
export { idSchema, providerIdSchema, scopeSchema, jsonRecordSchema, secretSchema, headerSecretSchema, urlSchema } from "./schemas.js";
export type {
  InstallCallbackInput,
  InstallCallbackResult,
  InstallUrlInput,
  InstallUrlResult,
  IntegrationIdentity,
  PendingInstall,
  PendingInstallLookup,
  ConfirmPendingInstallInput,
  PreparedConnection,
  ProviderContext,
  ProviderDefinition,
  ProviderIdOf,
  ProviderInput,
  RegisteredProvider,
  Runtime,
  RuntimeOf,
  RuntimeFields,
  SiteSelectionInput,
  StateConfig,
  StateSecret,
  WebhookInput,
  WebhookResult,
  RefreshDueOutcome,
} from "./provider.js";
export type { RefreshDueInput, RefreshDueResult } from "./refresh-due.js";
export type { CheckHealthInput, HealthCheck, HealthReport } from "./check-health.js";
export type { HealthStatus, StoreHealthCheck } from "./store-health-check.js";
export type { ReencryptInput, ReencryptProgress } from "./reencrypt-connections.js";
export type { StaticProviderOptions } from "./static-provider.js";
export { defineApiKeyProvider, type ApiKeyProviderOptions, type ApiKeyRuntime } from "./define-api-key-provider.js";
export { defineBasicProvider, type BasicRuntime } from "./define-basic-provider.js";
export { defineMappedCredentialsProvider, type MappedCredentialsProviderOptions, type MappedRuntimeFields } from "./define-mapped-credentials-provider.js";

import type { PersistentStore } from "./persistent-store.js";
/** @deprecated 1.x name: use `PersistentStore`. */
export type IStorageProvider = PersistentStore;
