// Types of redis-cluster.mjs for the TypeScript test setups that import it.
export interface RedisClusterHandle {
  nodes: Array<{ host: string; port: number }>;
  stop(): Promise<void>;
}

export function startRedisCluster(options: { bin: string | undefined; masters?: number; readyTimeoutMs?: number }): Promise<RedisClusterHandle>;
