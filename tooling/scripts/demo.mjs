// `pnpm demo`: builds what the quickstart needs (quietly; the build log is shown only when it fails), then runs it.
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1" };
const build = spawnSync("pnpm", ["exec", "turbo", "run", "build", "--filter=@sdk-examples/quickstart...", "--output-logs=errors-only"], { cwd: root, env, encoding: "utf8" });
if (build.status !== 0) {
  process.stderr.write(build.stdout + build.stderr);
  process.exit(build.status ?? 1);
}
const demo = spawnSync("node", ["examples/quickstart/dist/main.js"], { cwd: root, env, stdio: "inherit" });
process.exit(demo.status ?? 1);
