// @sdk/core/testing: the store contract suites every PersistentStore and CacheStore implementation runs.
export { runPersistentStoreContract, type PersistentStoreHarness, type PersistentStoreContractOptions } from "./run-persistent-store-contract.js";
export { runCacheStoreContract, type CacheStoreHarness, type CacheStoreContractOptions } from "./run-cache-store-contract.js";
export { describeErrorChain } from "./describe-error-chain.js";
export { sampleIntegration } from "./sample-integration.js";
export { recordErrors, type ErrorRecorder } from "./record-errors.js";
export { testEncryptionKey } from "./test-encryption-key.js";
