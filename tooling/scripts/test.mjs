// `pnpm test`: builds every package, runs every package's tests through turbo, and prints one closing line
// "N passed, N failed, N skipped" summed from vitest's JSON reports. Starts a private Redis when REDIS_URL is unset.
// Installs nothing: what is missing (redis-server, Chromium, mockupdb) is named first with its install command.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findRedisServer, startRedisServer } from "@sdk-tooling/redis-harness";
import { missingSystemRequirements } from "./lib/system-requirements.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const reportDir = join(root, ".reports", "vitest");
rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });

const env = { ...process.env, SDK_TEST_REPORT_DIR: reportDir, TURBO_TELEMETRY_DISABLED: "1", VITE_CONFIG_NATIVE_IGNORE_WARNING: "true" };
const redisServer = findRedisServer();
const missing = missingSystemRequirements({ redisServer, redisUrl: env.REDIS_URL });
if (missing.length > 0) {
  console.error("pnpm test installs nothing; missing on this machine (.ci/run installs them):");
  for (const { name, effect, install } of missing) console.error(`  - ${name}: ${effect}. Install: ${install}`);
}
let redis;
if (!env.REDIS_URL && redisServer) {
  redis = await startRedisServer({ bin: redisServer });
  env.REDIS_URL = redis.url;
  env.REDIS_SERVER_BIN = redisServer;
  console.error(`started redis-server for the tests at ${redis.url}`);
}

const turboArgs = ["turbo", "run", "build", "typecheck", "test", "--output-logs=new-only", "--concurrency=2", "--continue", ...process.argv.slice(2)];
const run = spawnSync("pnpm", ["exec", ...turboArgs], { cwd: root, env, stdio: "inherit" });
await redis?.stop();

let passed = 0;
let failed = 0;
let skipped = 0;
const reports = existsSync(reportDir) ? readdirSync(reportDir).filter((name) => name.endsWith(".json")) : [];
for (const name of reports) {
  const report = JSON.parse(readFileSync(join(reportDir, name), "utf8"));
  passed += report.numPassedTests ?? 0;
  // A suite that fails to load has no failed tests: count it as one failure so it can never pass silently.
  failed += Math.max(report.numFailedTests ?? 0, report.numFailedTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (run.status !== 0 || failed > 0 || passed === 0) process.exit(run.status || 1);
