// `pnpm test`: builds every package, runs every package's tests through turbo, and prints one closing line
// "N passed, N failed, N skipped" summed from vitest's JSON reports. Starts a private Redis when REDIS_URL is unset.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { aptInstall, ensureRedisServer, startRedisServer } from "./redis-server.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const reportDir = join(root, ".reports", "vitest");
rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });

const env = { ...process.env, SDK_TEST_REPORT_DIR: reportDir, TURBO_TELEMETRY_DISABLED: "1", VITE_CONFIG_NATIVE_IGNORE_WARNING: "true" };
let redis;
if (!env.REDIS_URL) {
  const bin = ensureRedisServer();
  if (bin) {
    redis = await startRedisServer({ bin });
    env.REDIS_URL = redis.url;
    env.REDIS_SERVER_BIN = bin;
    console.error(`started redis-server for the tests at ${redis.url}`);
  } else {
    console.error("redis-server is not installed and cannot be installed here: Redis-backed suites will fail. Install it or set REDIS_URL.");
  }
}

// The express-service browser test drives Debian's Chromium; install it like redis-server when we can.
if (!existsSync("/usr/bin/chromium")) {
  let installed = false;
  try {
    installed = aptInstall(["chromium", "fonts-liberation"]);
  } catch (error) {
    console.error(`apt-get could not install chromium: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!installed) console.error("/usr/bin/chromium is missing: the browser test will be skipped (its name says so).");
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
