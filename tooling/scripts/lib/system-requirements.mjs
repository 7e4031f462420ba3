// The programs outside npm that some suites need: how `pnpm test` tells whether each is here, what happens to the
// suites without it and how to install it. `pnpm test` installs nothing (.ci/run does); the suites that need a missing
// program skip saying so in their names (Redis without REDIS_URL: its suites fail with the same hint).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { REDIS_SERVER_INSTALL_HINT } from "@sdk-tooling/redis-harness";

/** Each requirement missing here, as { name, effect, install }; `redisUrl` is the REDIS_URL the suites will use. */
export function missingSystemRequirements({ redisServer, redisUrl }) {
  const missing = [];
  if (!redisServer) {
    missing.push({
      name: "redis-server",
      effect: redisUrl
        ? "the Redis Cluster and Redis restart tests skip (REDIS_URL serves the rest)"
        : "every Redis-backed suite (@sdk/storage-redis, @sdk-tooling/reliability, the examples' Redis tests) fails",
      install: `${REDIS_SERVER_INSTALL_HINT}${redisUrl ? "" : " (or set REDIS_URL)"}`,
    });
  }
  // The express-service browser test drives Debian's Chromium (playwright's own download does not work here).
  if (!existsSync("/usr/bin/chromium")) {
    missing.push({ name: "/usr/bin/chromium", effect: "the express-service browser test skips", install: "apt-get install chromium fonts-liberation" });
  }
  // storage-mongo's wire tests run MongoDB's wire-protocol mock under Debian's interpreter.
  if (spawnSync("/usr/bin/python3", ["-c", "import mockupdb"], { stdio: "ignore" }).status !== 0) {
    missing.push({ name: "python3-mockupdb", effect: "@sdk/storage-mongo's wire tests skip", install: "apt-get install python3-mockupdb" });
  }
  return missing;
}
