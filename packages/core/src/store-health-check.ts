// What a store may say about its own health (`checkHealth`, optional in both store contracts), in the words of
// `sdk.checkHealth()`: status, a line for a human, and settings by name. Never a key, a secret or a stored value.

/** `pass`: fine; `warn`: works, but look (a readiness probe stays ready); `fail`: the SDK cannot serve. */
export type HealthStatus = "pass" | "warn" | "fail";

/** One thing a store checked about itself (`RedisCache`, `RedisStore` implement `checkHealth`). */
export interface StoreHealthCheck {
  /** What was checked: `"reachable"`, `"maxmemory-policy"`, ... */
  name: string;
  status: HealthStatus;
  /** What was found and what to do, for a human. Never a key, a secret or a stored value. */
  output: string;
  /** The `SdkError` code a check that is not `pass` stands for (`store_unavailable`, `misconfigured`, ...). */
  code?: string;
  /** Settings, their values and node names (`{ setting: "maxmemory-policy", value: "allkeys-lru" }`). */
  details?: Record<string, string>;
}
