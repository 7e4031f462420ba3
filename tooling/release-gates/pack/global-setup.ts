// `pnpm test:pack` packs the tarballs once for every test file (the pack test, the scratch-project test) and removes
// them after the run. The scratch projects get a private redis-server set up like production (appendonly yes), not
// REDIS_URL: a correctly deployed service must print nothing, and RedisStore rightly warns about a Redis without
// persistence (the test Redis of `.ci/run` has none).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRedisServer } from "@sdk-tooling/redis-harness";
import type { TestProject } from "vitest/node";
import { packTarballs } from "./scratch-project.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Tarball path of each @sdk/* package name. */
    tarballs: Record<string, string>;
    /** The Redis the scratch projects use. */
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const folder = mkdtempSync(join(tmpdir(), "sdk-tarballs-"));
  const redis = await startRedisServer({ args: ["--appendonly", "yes"] });
  try {
    project.provide("tarballs", packTarballs(folder));
    project.provide("redisUrl", redis.url);
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    await redis.stop();
    throw error;
  }
  return async () => {
    rmSync(folder, { recursive: true, force: true });
    await redis.stop();
  };
}
