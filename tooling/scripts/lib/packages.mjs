// The published packages and their export subpaths, read from packages/*/package.json. Every release gate (API
// reports, changeset check, pack test) takes its list of packages from here, so none of them keeps its own.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const REPORT_FOLDER = "api-reports";

/**
 * @typedef {{ subpath: string, typesFile: string, reportName: string, reportPath: string }} PublicEntry
 * @typedef {{ name: string, unscopedName: string, version: string, dir: string, relativeDir: string,
 *   packageJson: Record<string, any>, entries: PublicEntry[] }} PublicPackage
 */

/** `.` -> `core`, `./testing` -> `core.testing` (API Extractor appends `.api.md`). */
export function reportNameFor(unscopedName, subpath) {
  return subpath === "." ? unscopedName : `${unscopedName}${subpath.slice(1).replaceAll("/", ".")}`;
}

/** Every non-private `@sdk/*` package under packages/, sorted by name. @returns {PublicPackage[]} */
export function listPublicPackages(root) {
  const packagesDir = join(root, "packages");
  if (!existsSync(packagesDir)) return [];
  const found = [];
  for (const folder of readdirSync(packagesDir).sort()) {
    const manifestPath = join(packagesDir, folder, "package.json");
    if (!existsSync(manifestPath)) continue;
    const packageJson = JSON.parse(readFileSync(manifestPath, "utf8"));
    if (packageJson.private || !String(packageJson.name).startsWith("@sdk/")) continue;
    const unscopedName = packageJson.name.slice("@sdk/".length);
    const dir = join(packagesDir, folder);
    const entries = [];
    for (const [subpath, target] of Object.entries(packageJson.exports ?? {})) {
      if (subpath === "./package.json") continue;
      const types = target?.import?.types ?? target?.types;
      if (typeof types !== "string") throw new Error(`${packageJson.name}: exports["${subpath}"] has no import.types`);
      const reportName = reportNameFor(unscopedName, subpath);
      entries.push({ subpath, typesFile: join(dir, types), reportName, reportPath: `${REPORT_FOLDER}/${reportName}.api.md` });
    }
    found.push({ name: packageJson.name, unscopedName, version: packageJson.version, dir, relativeDir: `packages/${folder}`, packageJson, entries });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** `api-reports/core.testing.api.md` -> `{ packageName: "@sdk/core", subpath: "./testing" }`, or undefined. */
export function entryForReportPath(packages, reportPath) {
  for (const pkg of packages) {
    const entry = pkg.entries.find((candidate) => candidate.reportPath === reportPath);
    if (entry) return { packageName: pkg.name, subpath: entry.subpath };
  }
  const match = /^api-reports\/([^.]+)(?:\.(.+))?\.api\.md$/.exec(reportPath);
  if (!match) return undefined;
  // A report whose package or subpath no longer exists (deleted file): still owned by the package it names.
  return { packageName: `@sdk/${match[1]}`, subpath: match[2] ? `./${match[2].replaceAll(".", "/")}` : "." };
}
