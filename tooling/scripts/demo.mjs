// `pnpm demo`: builds what the quickstart needs, showing progress while it does (a fresh clone builds for a minute
// or two), then runs the quickstart's story. The build log is shown only when the build fails. Needs only Node and
// the installed dependencies: turbo is started from node_modules, not through a `pnpm` on the PATH.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1" };
const QUICKSTART = "examples/quickstart";

/** The workspace packages the quickstart builds from (its `workspace:` dependencies), then the quickstart itself. */
function packagesToBuild() {
  const manifest = JSON.parse(readFileSync(join(root, QUICKSTART, "package.json"), "utf8"));
  const local = Object.entries(manifest.dependencies ?? {}).filter(([, range]) => String(range).startsWith("workspace:"));
  return [...local.map(([name]) => ({ name, dir: join(root, "packages", name.replace(/^@sdk\//, "")) })), { name: manifest.name, dir: join(root, QUICKSTART) }];
}

/** Newest modification time of a package's build output, or 0 when it has none yet. */
function builtAt(dir) {
  const dist = join(dir, "dist");
  if (!existsSync(dist)) return 0;
  return Math.max(0, ...readdirSync(dist).map((file) => statSync(join(dist, file)).mtimeMs));
}

/** Runs turbo's build; resolves with its exit code and output (kept for the failure case only). */
function build(packages, report) {
  const turbo = createRequire(join(root, "package.json")).resolve("turbo/bin/turbo");
  const child = spawn(process.execPath, [turbo, "run", "build", `--filter=@sdk-examples/quickstart...`, "--output-logs=errors-only"], { cwd: root, env });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const started = Date.now();
  const timer = setInterval(() => report(packages.filter((pkg) => builtAt(pkg.dir) >= started).length, Date.now() - started), 1000);
  return new Promise((done) => {
    child.on("error", (error) => {
      clearInterval(timer);
      done({ code: 1, output: `${output}\n${error.message}`, ms: Date.now() - started });
    });
    child.on("close", (code) => {
      clearInterval(timer);
      done({ code: code ?? 1, output, ms: Date.now() - started });
    });
  });
}

const packages = packagesToBuild();
const interactive = process.stdout.isTTY === true;
const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
let tick = 0;
let lastLogged = -1;
console.log(`Building the SDK packages the demo uses (${packages.length}). The first build of a fresh clone takes a minute or two; later runs take seconds.`);
const result = await build(packages, (done, ms) => {
  const seconds = Math.round(ms / 1000);
  if (interactive) {
    process.stdout.write(`\r${frames[tick++ % frames.length]} built ${done}/${packages.length} packages, ${seconds} s `);
  } else if (seconds - lastLogged >= 15) {
    // Not a terminal (CI, a pipe): one plain line every 15 s instead of a spinner.
    lastLogged = seconds;
    console.log(`  still building: ${done}/${packages.length} packages after ${seconds} s`);
  }
});
if (interactive) process.stdout.write("\r\x1b[2K");
if (result.code !== 0) {
  process.stderr.write(result.output);
  console.error(`The build failed (exit code ${result.code}); its log is above.`);
  process.exit(result.code);
}
console.log(`Built in ${Math.round(result.ms / 1000)} s. Starting the demo.\n`);
const demo = spawnSync(process.execPath, [join(QUICKSTART, "dist/main.js")], { cwd: root, env, stdio: "inherit" });
process.exit(demo.status ?? 1);
