// @sdk/storage-redis public surface: RedisCache (CacheStore) and RedisStore (PersistentStore) over an ioredis client
// the caller owns, plus the fail-fast client options, the startup-check option type and the deprecated 1.x name.
export { RedisCache, type RedisCacheOptions } from "./redis-cache.js";
export type { RedisCacheL1Options } from "./redis-l1-cache.js";
export { RedisStore, RedisStorage } from "./redis-store.js";
export type { RedisStoreOptions } from "./redis-store-options.js";
export type { RedisStoreTierOptions } from "./redis-record-tier.js";
export { failFastRedisOptions, type RedisClient } from "./redis-client.js";
export type { EvictionPolicyCheck } from "./redis-deployment-check.js";
