// The options of RedisStore (its constructor's second argument), documented where users read them.
import type { EvictionPolicyCheck } from "./redis-deployment-check.js";
import type { RedisStoreTierOptions } from "./redis-record-tier.js";

export interface RedisStoreOptions {
  /**
   * Namespace of every key, used as the Cluster hash tag: keys look like `{sdk:integrations}:record:<id>`.
   * The whole store therefore lives in one hash slot (one shard); see the README for the trade-off.
   * Must be non-empty and contain no `{` or `}`.
   * @default "sdk:integrations"
   */
  keyPrefix?: string;
  /**
   * An in-process tier of records for the resolve hot path (reads that pass `{ tier: true }`; writes and the refresh
   * path always read Redis). Every write through any RedisStore on the same Redis publishes the record id on
   * `{prefix}:changed`, and a tier forgets that record at once; while its subscription is down nothing is served from
   * memory. Opens one subscriber connection (close it with `dispose()`). Off by default. See the README, "Record tier".
   */
  recordTier?: RedisStoreTierOptions;
  /**
   * The check of Redis's `maxmemory-policy` before the first command: `"enforce"` refuses an `allkeys-*` policy
   * (`misconfigured`: records have no TTL and would be evicted), `"warn"` accepts that risk with one stderr warning,
   * `"off"` skips it (verified by hand on a Redis that refuses `CONFIG`). See the README, "Startup checks".
   * @default "enforce"
   */
  evictionPolicyCheck?: EvictionPolicyCheck;
}
