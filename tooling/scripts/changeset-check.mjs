// `pnpm changeset:check`: a package whose published source changed since the base ref needs a changeset naming it,
// and a package whose API report changed needs one that bumps at least minor (lines only added) or major (a line
// removed or changed). It reads git and .changeset/ only; `pnpm api:check` is what keeps the reports true to the build.
// Base: $BASE_REF, else the merge-base with main (or origin/main), else HEAD~1; with none of those it skips.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BUMP_ORDER, classifyReportChange } from "./lib/api-diff.mjs";
import { REPORT_FOLDER, entryForReportPath, listPublicPackages } from "./lib/packages.mjs";

/** @typedef {import("./lib/api-diff.mjs").Bump} Bump */
/** @typedef {{ file: string, releases: Map<string, Bump>, apiCompatible: string | undefined }} Changeset */

// Tests ship in src/ but never in dist/: changing one changes nothing a user installs.
const TEST_FILE = /\.(test|spec)\.[cm]?[jt]sx?$|\/__tests__\//;
// "documented backward compatibility": a changeset body line `API-compatible: <why>` lets a changed report line
// ship as minor for the packages that changeset names. The reason lands in the changelog.
const API_COMPATIBLE = /^API-compatible:\s*(\S.*)$/im;

const rank = (/** @type {Bump} */ bump) => BUMP_ORDER.indexOf(bump);
const higher = (/** @type {Bump} */ a, /** @type {Bump} */ b) => (rank(a) >= rank(b) ? a : b);

/** Reads a changeset's front matter (`"@sdk/core": major`) and its `API-compatible:` note. @returns {Changeset} */
export function parseChangeset(file, text) {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) throw new Error(`${file}: no front matter (a changeset starts with ---, one "package": bump line each, ---)`);
  const releases = new Map();
  for (const line of match[1].split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const release = /^\s*(["']?)([^"':\s]+)\1\s*:\s*(major|minor|patch|none)\s*$/.exec(line);
    if (!release) throw new Error(`${file}: cannot read front matter line ${JSON.stringify(line)}`);
    releases.set(release[2], /** @type {Bump} */ (release[3]));
  }
  return { file, releases, apiCompatible: API_COMPATIBLE.exec(match[2])?.[1]?.trim() };
}

/**
 * The verdict for one change set of files. Pure: the caller reads git and the file system.
 * @param {{ packages: { name: string, relativeDir: string, entries: { subpath: string, reportPath: string }[] }[], changedFiles: string[], reportChanges: { path: string, before: string | undefined, after: string | undefined }[], changesets: Changeset[] }} input
 * @returns {{ problems: string[], lines: string[] }}
 */
export function evaluate({ packages, changedFiles, reportChanges, changesets }) {
  /** @type {Map<string, { bump: Bump, reasons: string[] }>} */
  const needs = new Map();
  const need = (name, bump, reason) => {
    const current = needs.get(name) ?? { bump: "none", reasons: [] };
    needs.set(name, { bump: higher(current.bump, bump), reasons: [...current.reasons, reason] });
  };
  for (const pkg of packages) {
    const sources = changedFiles.filter((file) => file.startsWith(`${pkg.relativeDir}/src/`) && !TEST_FILE.test(file));
    if (sources.length > 0) need(pkg.name, "patch", `src changed (${sources.length} file${sources.length === 1 ? "" : "s"}, e.g. ${sources[0]})`);
  }
  for (const { path, before, after } of reportChanges) {
    const owner = entryForReportPath(packages, path);
    const bump = classifyReportChange(before, after);
    if (!owner || bump === "none") continue;
    const what = bump === "major" ? "lines removed or changed" : bump === "minor" ? "lines added only" : "comments only";
    need(owner.packageName, bump, `API report ${path}: ${what}`);
  }

  const problems = [];
  const lines = [];
  for (const [name, { bump: required, reasons }] of [...needs].sort(([a], [b]) => a.localeCompare(b))) {
    const naming = changesets.filter((changeset) => rank(changeset.releases.get(name) ?? "none") > rank("none"));
    const given = naming.reduce((best, changeset) => higher(best, /** @type {Bump} */ (changeset.releases.get(name))), /** @type {Bump} */ ("none"));
    const documented = naming.find((changeset) => changeset.apiCompatible !== undefined);
    const ok = rank(given) >= rank(required) || (required === "major" && given === "minor" && documented !== undefined);
    const by = naming.length > 0 ? `${given} in ${naming.map((changeset) => changeset.file).join(", ")}` : "no changeset";
    const note = ok && rank(given) < rank(required) ? ` (API-compatible: ${documented?.apiCompatible})` : "";
    lines.push(`${ok ? "ok  " : "FAIL"} ${name}: needs ${required === "patch" ? "a changeset" : `at least ${required}`}, has ${by}${note}`);
    for (const reason of reasons) lines.push(`       - ${reason}`);
    if (ok) continue;
    if (naming.length === 0) {
      problems.push(`${name} changed but no .changeset/*.md names it: run \`pnpm changeset\` and pick ${required === "patch" ? "its bump" : `${required} (or higher)`}.`);
    } else if (required === "major") {
      problems.push(
        `${name}: its API report lost or changed lines, which needs a major changeset; ${by} is not enough. ` +
          "Bump major, or if the change is backward compatible (e.g. a new optional parameter), keep minor and add a line " +
          "`API-compatible: <why old callers still compile and behave>` to the changeset body.",
      );
    } else {
      problems.push(`${name}: its API report gained exports or members, which needs at least minor; ${by} is not enough.`);
    }
  }
  return { problems, lines };
}

function git(root, args, { allowFailure = false } = {}) {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch (error) {
    if (allowFailure) return undefined;
    throw error;
  }
}

/** @returns {{ ref: string, how: string } | { skip: string }} */
export function resolveBase(root, env) {
  if (env.BASE_REF) {
    const ref = git(root, ["rev-parse", "--verify", "--quiet", `${env.BASE_REF}^{commit}`], { allowFailure: true });
    if (!ref) throw new Error(`BASE_REF=${env.BASE_REF} is not a commit in this repository`);
    return { ref, how: `BASE_REF=${env.BASE_REF}` };
  }
  const head = git(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], { allowFailure: true });
  if (!head) return { skip: "the repository has no commit yet" };
  for (const main of ["main", "origin/main"]) {
    if (!git(root, ["rev-parse", "--verify", "--quiet", `${main}^{commit}`], { allowFailure: true })) continue;
    const mergeBase = git(root, ["merge-base", "HEAD", main], { allowFailure: true });
    // On main itself (CI runs there) the merge-base is HEAD: fall through to the last commit.
    if (mergeBase && mergeBase !== head) return { ref: mergeBase, how: `merge-base with ${main}` };
    break;
  }
  const parent = git(root, ["rev-parse", "--verify", "--quiet", "HEAD~1^{commit}"], { allowFailure: true });
  if (parent) return { ref: parent, how: "HEAD~1" };
  return { skip: "no BASE_REF, no merge-base with main that differs from HEAD, and no HEAD~1 (single commit or shallow clone)" };
}

/** The whole check against the repository at `root`. @returns {number} the exit code */
export function main({ root, env = process.env, log = console.log, error = console.error }) {
  const base = resolveBase(root, env);
  if ("skip" in base) {
    log(`changeset:check: skipped: ${base.skip}. Set BASE_REF to compare with a ref.`);
    return 0;
  }
  // Against the working tree, untracked files included: a changeset not yet committed already counts.
  const changedFiles = [
    ...git(root, ["diff", "--name-only", "--no-renames", base.ref, "--"]).split("\n"),
    ...git(root, ["ls-files", "--others", "--exclude-standard"]).split("\n"),
  ].filter(Boolean);

  const changesetDir = join(root, ".changeset");
  const changesets = existsSync(changesetDir)
    ? readdirSync(changesetDir)
        .filter((name) => name.endsWith(".md") && name.toLowerCase() !== "readme.md")
        .sort()
        .map((name) => parseChangeset(`.changeset/${name}`, readFileSync(join(changesetDir, name), "utf8")))
    : [];

  const reportsAtBase = git(root, ["ls-tree", "--name-only", `${base.ref}`, `${REPORT_FOLDER}/`], { allowFailure: true }) ?? "";
  const changedReports = changedFiles.filter((file) => file.startsWith(`${REPORT_FOLDER}/`) && file.endsWith(".api.md"));
  let reportChanges = [];
  if (reportsAtBase === "" && changedReports.length > 0) {
    log(`changeset:check: ${REPORT_FOLDER}/ does not exist at the base: the reports are new, not an API change.`);
  } else {
    reportChanges = [...new Set(changedReports)].map((path) => ({
      path,
      before: git(root, ["show", `${base.ref}:${path}`], { allowFailure: true }),
      after: existsSync(join(root, path)) ? readFileSync(join(root, path), "utf8") : undefined,
    }));
  }

  const { problems, lines } = evaluate({ packages: listPublicPackages(root), changedFiles, reportChanges, changesets });
  log(`changeset:check: base ${base.ref.slice(0, 12)} (${base.how}); ${changesets.length} pending changeset(s).`);
  for (const line of lines) log(line);
  if (problems.length === 0) {
    log(lines.length === 0 ? "changeset:check: no published package changed." : "changeset:check: every changed package has the changeset it needs.");
    return 0;
  }
  for (const problem of problems) error(`changeset:check: ${problem}`);
  error("Bump rules (RELEASING.md): removed or changed API = major, added API = minor, anything else in src/ = patch.");
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = git(process.cwd(), ["rev-parse", "--show-toplevel"], { allowFailure: true });
  if (!root) {
    console.log("changeset:check: skipped: not inside a git work tree.");
  } else {
    process.exitCode = main({ root });
  }
}
