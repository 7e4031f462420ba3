// `pnpm api:update` / `pnpm api:check`: records every package's public API, one report per export subpath, with
// API Extractor and the one shared config tooling/api-extractor.template.json, from the built dist/*.d.ts.
// --update rewrites api-reports/; --check (the default) fails when the build differs from the committed reports.
// It never builds: the root scripts run `turbo run build` first.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CompilerState, Extractor, ExtractorConfig } from "@microsoft/api-extractor";
import { classifyReportChange, formatReportDiff } from "./lib/api-diff.mjs";
import { REPORT_FOLDER, listPublicPackages } from "./lib/packages.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const templatePath = join(root, "tooling", "api-extractor.template.json");
const tempFolder = join(root, ".reports", "api");
const update = process.argv.includes("--update");

const packages = listPublicPackages(root);
const entries = packages.flatMap((pkg) => pkg.entries.map((entry) => ({ pkg, entry })));
const missing = entries.filter(({ entry }) => !existsSync(entry.typesFile));
if (missing.length > 0) {
  for (const { pkg, entry } of missing) console.error(`${pkg.name} "${entry.subpath}": ${entry.typesFile} is missing`);
  console.error("Build first: `pnpm build` (the api:* scripts do this for you).");
  process.exit(1);
}

const template = ExtractorConfig.loadFile(templatePath);
rmSync(tempFolder, { recursive: true, force: true });
mkdirSync(tempFolder, { recursive: true });

function prepare({ pkg, entry }) {
  const configObject = structuredClone(template);
  configObject.projectFolder = pkg.dir;
  configObject.mainEntryPointFilePath = entry.typesFile;
  configObject.apiReport = { ...configObject.apiReport, reportFileName: entry.reportName, reportFolder: tempFolder, reportTempFolder: tempFolder };
  return ExtractorConfig.prepare({ configObject, configObjectFullPath: templatePath, packageJsonFullPath: join(pkg.dir, "package.json") });
}

// One TypeScript program per package (its entry points share it). Not one for all packages: a provider package that
// augments an interface of @sdk/core (`declare module "@sdk/core"`, its error codes) would merge into core's
// declaration there, which API Extractor cannot analyse ("Unable to analyze the export").
const configs = entries.map((item) => ({ ...item, config: prepare(item) }));
const compilerStates = new Map();
for (const { pkg, config } of configs) {
  if (compilerStates.has(pkg.name)) continue;
  const typesFiles = entries.filter((item) => item.pkg.name === pkg.name).map(({ entry }) => entry.typesFile);
  compilerStates.set(pkg.name, CompilerState.create(config, { additionalEntryPoints: typesFiles }));
}

let failed = false;
const built = new Map();
for (const { pkg, entry, config } of configs) {
  const problems = [];
  const result = Extractor.invoke(config, {
    localBuild: true,
    compilerState: compilerStates.get(pkg.name),
    messageCallback(message) {
      // Our own summary replaces API Extractor's chatter; warnings and errors are still shown.
      if (message.logLevel === "error" || message.logLevel === "warning") problems.push(message.formatMessageWithLocation(root));
      message.handled = true;
    },
  });
  for (const problem of problems) console.error(`${pkg.name} "${entry.subpath}": ${problem}`);
  if (!result.succeeded) {
    console.error(`${pkg.name} "${entry.subpath}": API Extractor failed with ${result.errorCount} error(s)`);
    failed = true;
    continue;
  }
  const text = readFileSync(join(tempFolder, `${entry.reportName}.api.md`), "utf8");
  // API Extractor titles every report with the package name; name the import specifier ("@sdk/core/testing").
  const specifier = entry.subpath === "." ? pkg.name : `${pkg.name}${entry.subpath.slice(1)}`;
  built.set(entry.reportPath, { pkg, entry, text: text.replace(`API Report File for "${pkg.name}"`, `API Report File for "${specifier}"`) });
}
if (failed) process.exit(1);

const reportDir = join(root, REPORT_FOLDER);
const committedPaths = existsSync(reportDir)
  ? readdirSync(reportDir).filter((name) => name.endsWith(".api.md")).map((name) => `${REPORT_FOLDER}/${name}`)
  : [];
const stale = committedPaths.filter((path) => !built.has(path));

if (update) {
  mkdirSync(reportDir, { recursive: true });
  let written = 0;
  for (const [path, { text }] of built) {
    const target = join(root, path);
    if (existsSync(target) && readFileSync(target, "utf8") === text) continue;
    writeFileSync(target, text);
    console.log(`wrote ${path}`);
    written += 1;
  }
  for (const path of stale) {
    rmSync(join(root, path));
    console.log(`removed ${path} (no such package or export subpath any more)`);
  }
  console.log(`api:update: ${built.size} report(s), ${written} rewritten, ${stale.length} removed.`);
  process.exit(0);
}

const changes = [];
for (const [path, { pkg, entry, text }] of built) {
  const committed = existsSync(join(root, path)) ? readFileSync(join(root, path), "utf8") : undefined;
  if (committed !== text) changes.push({ path, label: `${pkg.name} "${entry.subpath}"`, committed, text });
}
for (const path of stale) {
  changes.push({ path, label: `${path} (its package or export subpath is gone)`, committed: readFileSync(join(root, path), "utf8"), text: undefined });
}
if (changes.length === 0) {
  console.log(`api:check: ${built.size} report(s) match the build.`);
  process.exit(0);
}
for (const { path, label, committed, text } of changes) {
  const bump = classifyReportChange(committed, text);
  const what = committed === undefined ? "has no committed report" : text === undefined ? "was removed" : "changed";
  const needs = bump === "major" ? "a major bump (or minor with an `API-compatible:` note, see RELEASING.md)" : `a ${bump} bump`;
  console.error(`\napi:check: the public API of ${label} ${what} (${path}); this change needs ${needs}.`);
  console.error(formatReportDiff(path, committed, text));
}
console.error(
  [
    `api:check failed: ${changes.length} of ${built.size + stale.length} report(s) differ from the build.`,
    "An API change must ship with a changeset for its package with the right bump:",
    "  removed or changed signature = major, addition only = minor (see RELEASING.md).",
    "If the change is deliberate: run `pnpm api:update`, commit api-reports/, and add a changeset (`pnpm changeset`).",
  ].join("\n"),
);
process.exit(1);
