// Vitest global setup: a standalone Redis (REDIS_URL when given, else a private redis-server on a free port) and a
// private 3-master Redis Cluster from the same binary, shared by every test file and stopped after the run. Both
// ioredis projects (vitest.config.ts) share one set of servers: the first setup starts them, the last teardown stops them.
import type { TestProject } from "vitest/node";
import { findRedisServer, REDIS_SERVER_INSTALL_HINT, startRedisCluster, startRedisServer } from "@sdk-tooling/redis-harness";

declare module "vitest" {
  export interface ProvidedContext {
    redis: {
      /** Standalone Redis every suite uses. */
      url: string;
      /** The redis-server binary, "" when none is installed (REDIS_URL only): Cluster and restart tests skip. */
      bin: string;
      /** Startup nodes of the private Cluster, empty without a binary. */
      clusterNodes: Array<{ host: string; port: number }>;
    };
    /** The ioredis copy this project (vitest.config.ts) loads for `import "ioredis"`: the package or an alias. */
    ioredis: { module: string; major: number };
  }
}

type Servers = { url: string; bin: string; clusterNodes: Array<{ host: string; port: number }>; teardown: () => Promise<void> };
// On globalThis: each project may load this file as a module of its own, but they all run in the one vitest process.
const holder = globalThis as { sdkRedisTestServers?: { servers: Promise<Servers>; users: number } };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = (holder.sdkRedisTestServers ??= { servers: startServers(), users: 0 });
  shared.users++;
  const { teardown, ...redis } = await shared.servers;
  project.provide("redis", redis);
  return async () => {
    if (--shared.users > 0) return;
    delete holder.sdkRedisTestServers;
    await teardown();
  };
}

async function startServers(): Promise<Servers> {
  const bin = process.env.REDIS_SERVER_BIN || findRedisServer() || "";
  const stops: Array<() => Promise<void>> = [];
  const teardown = async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
  try {
    let url = process.env.REDIS_URL;
    if (!url) {
      if (!bin) throw new Error(`@sdk/storage-redis tests need Redis: set REDIS_URL or install redis-server (${REDIS_SERVER_INSTALL_HINT}).`);
      const server = await startRedisServer({ bin });
      stops.push(server.stop);
      url = server.url;
    }
    let clusterNodes: Array<{ host: string; port: number }> = [];
    if (bin) {
      const cluster = await startRedisCluster({ bin });
      stops.push(cluster.stop);
      clusterNodes = cluster.nodes;
    }
    return { url, bin, clusterNodes, teardown };
  } catch (error) {
    await teardown();
    throw error;
  }
}
