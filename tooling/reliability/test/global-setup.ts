// Vitest global setup: the Redis every scenario shares (REDIS_URL when given, else a private redis-server on a free
// port) and the redis-server binary, which the outage scenario needs to stop and restart a Redis of its own.
import type { TestProject } from "vitest/node";
import { findRedisServer, REDIS_SERVER_INSTALL_HINT, startRedisServer } from "@sdk-tooling/redis-harness";

declare module "vitest" {
  export interface ProvidedContext {
    redis: { url: string; bin: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bin = process.env.REDIS_SERVER_BIN || findRedisServer() || "";
  let url = process.env.REDIS_URL;
  let stop: () => Promise<void> = async () => undefined;
  if (!url) {
    if (!bin) throw new Error(`the reliability suite needs Redis: set REDIS_URL or install redis-server (${REDIS_SERVER_INSTALL_HINT}).`);
    const server = await startRedisServer({ bin });
    url = server.url;
    stop = server.stop;
  }
  project.provide("redis", { url, bin });
  return stop;
}
