// Types of index.mjs for the TypeScript test setups that import @sdk-tooling/redis-harness.
export { findRedisServer, freePort, REDIS_SERVER_INSTALL_HINT, startRedisServer, type RedisServerHandle } from "./redis-server.mjs";
export { startRedisCluster, type RedisClusterHandle } from "./redis-cluster.mjs";
