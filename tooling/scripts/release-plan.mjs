// `pnpm release:plan`: asks changesets what the next `changeset version` would do (`changeset status --output`,
// written to a temp file), prints it, and fails when any @sdk/* package would not land on a release of the target
// major line (2.x; RELEASE_MAJOR overrides). A package that no changeset bumps stays where it is, and for a package
// still at 2.0.0-alpha.0 that is a failure too: the 2.0.0 release ships every package. Prereleases pass only in
// changesets pre mode (.changeset/pre.json).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { listPublicPackages } from "./lib/packages.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const targetMajor = Number(process.env.RELEASE_MAJOR ?? 2);
const preMode = existsSync(join(root, ".changeset", "pre.json"));

// `changeset status` diffs against the config's baseBranch and dies with a stack trace when that branch is missing,
// as it is in a clone of a feature branch.
const baseBranch = JSON.parse(readFileSync(join(root, ".changeset", "config.json"), "utf8")).baseBranch ?? "main";
if (spawnSync("git", ["rev-parse", "--verify", "--quiet", `${baseBranch}^{commit}`], { cwd: root }).status !== 0) {
  console.error(`release:plan: changesets needs a local "${baseBranch}" branch (.changeset/config.json baseBranch); e.g. \`git branch ${baseBranch} origin/${baseBranch}\`.`);
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), "release-plan-"));
const planFile = join(scratch, "plan.json");
const status = spawnSync("pnpm", ["exec", "changeset", "status", "--output", planFile], { cwd: root, encoding: "utf8" });
const plan = existsSync(planFile) ? JSON.parse(readFileSync(planFile, "utf8")) : undefined;
rmSync(scratch, { recursive: true, force: true });
if (status.status !== 0 || !plan) {
  process.stderr.write(status.stdout + status.stderr);
  console.error(`release:plan: \`changeset status\` failed (exit ${status.status}); fix what it says above (.changeset/config.json, missing changesets).`);
  process.exit(1);
}

const releases = new Map(plan.releases.map((release) => [release.name, release]));
const problems = [];
const rows = [];
for (const pkg of listPublicPackages(root)) {
  const release = releases.get(pkg.name);
  const next = release?.newVersion ?? pkg.version;
  const version = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/.exec(next);
  const onLine = version !== null && Number(version[1]) === targetMajor && (version[4] === undefined || preMode);
  const how = release ? `${release.type}${release.changesets.length > 0 ? ` (${release.changesets.map((id) => `.changeset/${id}.md`).join(", ")})` : " (dependency of a bumped package)"}` : "not released: no changeset";
  rows.push(`${onLine ? "ok  " : "FAIL"} ${pkg.name.padEnd(26)} ${pkg.version} -> ${next.padEnd(14)} ${how}`);
  if (!onLine) problems.push(`${pkg.name} would be at ${next}, not a ${targetMajor}.x release${release ? "" : " (no changeset bumps it)"}`);
}

console.log(`release:plan: ${plan.changesets.length} changeset(s); target ${targetMajor}.x${preMode ? " (pre mode: prereleases allowed)" : ""}`);
for (const row of rows) console.log(row);
if (problems.length > 0) {
  for (const problem of problems) console.error(`release:plan: ${problem}`);
  console.error(`Every @sdk/* package must land on ${targetMajor}.x: add a changeset that bumps it (from 2.0.0-alpha.0, major/minor/patch all give 2.0.0).`);
  process.exit(1);
}
console.log(`release:plan: every @sdk/* package lands on ${targetMajor}.x.`);
