// @sdk-tooling/redis-harness: private redis-server processes and Redis Clusters for tests, the bench and `pnpm test`.
// Plain .mjs run by node without a build; it finds and starts a binary, it never installs one.
export { findRedisServer, freePort, REDIS_SERVER_INSTALL_HINT, startRedisServer } from "./redis-server.mjs";
export { startRedisCluster } from "./redis-cluster.mjs";
