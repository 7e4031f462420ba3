// Tarballs of every @sdk/* package as they would be published, and scratch npm projects that install them: shared
// by the pack test and the scratch-project test so both see the same tarballs. Needs `pnpm build` first.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { listPublicPackages } from "../../scripts/lib/packages.mjs";

export const root = resolve(import.meta.dirname, "../../..");
export const packages = listPublicPackages(root);

/** Packs every public package into `destination`; returns the tarball path of each package name. */
export function packTarballs(destination: string): Record<string, string> {
  for (const pkg of packages) {
    for (const entry of pkg.entries) {
      if (!existsSync(entry.typesFile)) throw new Error(`${pkg.name} is not built (${entry.typesFile} is missing): run \`pnpm build\` first`);
    }
  }
  mkdirSync(destination, { recursive: true });
  execFileSync("pnpm", ["-r", ...packages.flatMap((pkg) => ["--filter", pkg.name]), "pack", "--pack-destination", destination], { cwd: root, stdio: "pipe" });
  const tarballs: Record<string, string> = {};
  for (const pkg of packages) {
    const tarball = join(destination, `${pkg.name.slice(1).replace("/", "-")}-${pkg.version}.tgz`);
    if (!existsSync(tarball)) throw new Error(`pnpm pack wrote no ${tarball}`);
    tarballs[pkg.name] = tarball;
  }
  return tarballs;
}

export interface ScratchProject {
  /** Registry dependencies beside the tarballs (peers such as ioredis come from the registry anyway). */
  dependencies?: Record<string, string>;
  /** @default "commonjs" (npm's default) */
  type?: "module" | "commonjs";
}

/**
 * Writes `project/package.json` with every tarball as a dependency (and as an override, so packages that depend on
 * each other take the tarball too, never a same-named package from the registry) and runs `npm install` there.
 */
export function installScratchProject(project: string, tarballs: Record<string, string>, options: ScratchProject = {}): void {
  mkdirSync(project, { recursive: true });
  const dependencies: Record<string, string> = { ...options.dependencies };
  const overrides: Record<string, string> = {};
  for (const [name, tarball] of Object.entries(tarballs)) {
    dependencies[name] = `file:${tarball}`;
    overrides[name] = `$${name}`;
  }
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "sdk-scratch-project", private: true, ...(options.type ? { type: options.type } : {}), dependencies, overrides }, null, 2));
  // A clean npm: pnpm's npm_* variables from `pnpm test:pack` are not meant for it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key) || /^npm_config_(registry|cache|userconfig)$/i.test(key)));
  // Peer dependencies (ioredis, mongodb) come from the registry: npm installs peers itself.
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefer-offline", "--loglevel=error"], { cwd: project, env, stdio: "pipe", timeout: 170_000 });
}
