// Bench scenario `coldStart`: import time of @sdk/core + @sdk/oauth in a fresh node and the installed size of their
// production dependency closure, each against @slack/oauth. Only measures; prints nothing. zod loads on first use
// (lazy-zod.ts in @sdk/core), so the import plus a first `createSDK` is measured too: that is where zod's cost went.
import { spawnSync } from "node:child_process";
import { readdirSync, realpathSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { benchDir, median, quick, readPackage, root, round } from "./measure.mjs";

const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;

/** Bench scenario: `results.coldStart`. */
export const coldStart = {
  section: "coldStart",
  progress: "cold start and size…",
  run: () => measureColdStart(),
  record(results, value) {
    results.coldStart = value;
    results.coldStart.sizeRatio = round(value.sdk.closure.bytes / value.slackOauth.closure.bytes);
    /** Import time of @sdk/core + @sdk/oauth over @slack/oauth's, same run (target <= 0.8). */
    results.coldStart.ratio = round(value.sdk.importMs / value.slackOauth.importMs);
  },
  rows: ({ coldStart: cold }) => [
    ["cold start: import @sdk/core + @sdk/oauth in a fresh node (`coldStart.ratio`)", `${cold.sdk.importMs} ms (process ${cold.sdk.processMs} ms; +provider-slack ${cold.sdkWithProviderSlack.importMs} ms; import + a first createSDK, which loads zod: ${cold.sdkFirstUse.importMs} ms)`, `@slack/oauth: ${cold.slackOauth.importMs} ms (process ${cold.slackOauth.processMs} ms; bare node ${cold.nodeBaselineProcessMs} ms)`, `${cold.ratio}x its import time`, "<= 0.8x"],
    ["installed size (production dependency closure, unpacked)", `${kib(cold.sdk.closure.bytes)} in ${cold.sdk.closure.packages} packages (tarballs: core ${kib(cold.tarballs["@sdk/core"].tarball)}, oauth ${kib(cold.tarballs["@sdk/oauth"].tarball)})`, `@slack/oauth: ${kib(cold.slackOauth.closure.bytes)} in ${cold.slackOauth.closure.packages} packages`, `${round(cold.sdk.closure.bytes / cold.slackOauth.closure.bytes)}x its size`, "—"],
  ],
};

/** Median ms of importing `specifiers` in fresh processes; `then` (code run after the imports, `modules` in scope) is timed with them. */
function importMs(specifiers, runs, then = "") {
  const code = `const t = performance.now(); const modules = []; for (const s of ${JSON.stringify(specifiers)}) modules.push(await import(s)); ${then}; process.stdout.write(String(performance.now() - t));`;
  const imports = [];
  const walls = [];
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: benchDir, encoding: "utf8" });
    walls.push(performance.now() - started);
    if (child.status !== 0) throw new Error(`import of ${specifiers.join(", ")} failed: ${child.stderr.slice(0, 500)}`);
    imports.push(Number(child.stdout));
  }
  return { importMs: round(median(imports), 1), processMs: round(median(walls), 1) };
}

function dirBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** The package directory of `name` as seen from `fromDir` (pnpm: a symlink beside it, or up the tree). */
function packageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    try {
      return realpathSync(candidate);
    } catch {
      if (dir === dirname(dir)) throw new Error(`cannot find ${name} from ${fromDir}`);
    }
  }
}

/** Unpacked bytes of the production dependency closure of `names` (each package counted once). */
function closureBytes(names, fromDir, sizeOf) {
  const seen = new Map();
  const visit = (name, from) => {
    const dir = packageDir(name, from);
    if (seen.has(dir)) return;
    seen.set(dir, sizeOf(dir));
    // Node's lookup from the package's real directory upwards finds pnpm's symlinks (…/.pnpm/<pkg>@<v>/node_modules/<dep>).
    for (const dependency of Object.keys(readPackage(dir).dependencies ?? {})) visit(dependency, dir);
  };
  for (const name of names) visit(name, fromDir);
  return { packages: seen.size, bytes: [...seen.values()].reduce((sum, bytes) => sum + bytes, 0) };
}

/** What npm would install for a workspace package: its packed files (dist, README, package.json). */
function packedFiles(dir) {
  const pack = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: dir, encoding: "utf8" });
  const [info] = JSON.parse(pack.stdout);
  return { tarball: info.size, unpacked: info.unpackedSize };
}

function measureColdStart() {
  const runs = quick ? 3 : 15;
  const workspaceSize = (dir) => (dir.startsWith(join(root, "packages")) ? packedFiles(dir).unpacked : dirBytes(dir));
  const ours = ["@sdk/core", "@sdk/oauth"];
  const baseline = importMs([], runs);
  const sdk = importMs(ours, runs);
  const sdkSlack = importMs([...ours, "@sdk/provider-slack"], runs);
  // What a service does at start-up right after the import: createSDK (options validated, so zod is loaded) with a provider.
  const firstUse = `const [{ createSDK, MemoryStore, defineApiKeyProvider }] = modules; createSDK({ store: new MemoryStore(), encryption: { keys: [{ id: "k1", key: Buffer.alloc(32, 7).toString("base64") }] }, providers: [defineApiKeyProvider({ id: "acme" })] })`;
  const sdkFirstUse = importMs(ours, runs, firstUse);
  const slack = importMs(["@slack/oauth"], runs);
  const tarballs = Object.fromEntries(["core", "oauth", "provider-slack"].map((name) => [`@sdk/${name}`, packedFiles(join(root, "packages", name))]));
  return {
    runs,
    nodeBaselineProcessMs: baseline.processMs,
    sdk: { ...sdk, closure: closureBytes(ours, benchDir, workspaceSize) },
    sdkFirstUse,
    sdkWithProviderSlack: { ...sdkSlack, closure: closureBytes([...ours, "@sdk/provider-slack"], benchDir, workspaceSize) },
    slackOauth: { ...slack, closure: closureBytes(["@slack/oauth"], benchDir, dirBytes), ownBytes: dirBytes(packageDir("@slack/oauth", benchDir)) },
    tarballs,
    importRatio: round(sdk.importMs / slack.importMs),
    sizeRatio: 0,
  };
}
