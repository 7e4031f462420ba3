// The ioredis clients the stores accept (standalone, Sentinel or Cluster) and the options that make them fail fast.
// Type-only imports: this package never loads ioredis itself, the caller's copy does all the work.
import type { Cluster, Redis, RedisOptions } from "ioredis";

/** A client the caller creates and owns: `new Redis(...)` (standalone or Sentinel) or `new Cluster(...)`. */
export type RedisClient = Redis | Cluster;

/** ioredis marks both classes; `instanceof` would fail when the caller loads another copy of ioredis. */
export function isCluster(client: RedisClient): client is Cluster {
  return client.isCluster;
}

/**
 * ioredis options that make a call fail within a bounded time while Redis is down, so the SDK answers
 * `cache_unavailable` / `store_unavailable` (retryable) instead of queueing commands until Redis returns.
 * Spread them into the client you give the SDK: `new Redis(url, { ...failFastRedisOptions })`, or for a Cluster
 * `new Cluster(nodes, { enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 2_000 } })`.
 * Use a client dedicated to the SDK: `commandTimeout` would also cut blocking commands (BLPOP) of other code.
 * @see https://github.com/redis/ioredis#auto-reconnect
 */
export const failFastRedisOptions = {
  /** Fail a command after one reconnection attempt instead of retrying it for ever. */
  maxRetriesPerRequest: 1,
  /** Reject commands at once while disconnected instead of queueing them until Redis is back. */
  enableOfflineQueue: false,
  /** Reject a command that got no answer (a hung server, a silent network partition) after 2 s. */
  commandTimeout: 2_000,
} as const satisfies Partial<RedisOptions>;
