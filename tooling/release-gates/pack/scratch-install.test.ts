// A new user's project, built from the tarballs alone: for each ioredis major of the peer range, a scratch npm
// project installs the packed @sdk/* packages and that ioredis, type-checks a strict NodeNext TypeScript service file
// with tsc, and runs it (ESM) and its CommonJS twin: a Slack and a Jira install against the emulators, on Redis.
// Fixtures: tooling/release-gates/scratch/. Part of `pnpm test:pack`.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { installScratchProject, root } from "./scratch-project.js";

const FIXTURES = join(root, "tooling/release-gates/scratch");
const USED = ["@sdk/core", "@sdk/oauth", "@sdk/provider-atlassian", "@sdk/provider-slack", "@sdk/storage-redis"];
const tsc = join(root, "node_modules/typescript/bin/tsc");

function run(project: string, args: string[]) {
  const result = spawnSync(process.execPath, args, { cwd: project, encoding: "utf8", timeout: 60_000, env: { ...process.env, REDIS_URL: inject("redisUrl") } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.each([5, 6])("a scratch project with ioredis %i", (major) => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), `sdk-scratch-ioredis${major}-`));
    const tarballs = Object.fromEntries(Object.entries(inject("tarballs")).filter(([name]) => USED.includes(name)));
    installScratchProject(project, tarballs, { type: "module", dependencies: { ioredis: `^${major}.0.0`, "@types/node": "^20.11.0" } });
    for (const file of ["install.mts", "install.cjs", "tsconfig.json"]) copyFileSync(join(FIXTURES, file), join(project, file));
  }, 180_000);
  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it(`installs ioredis ${major} beside the tarballs`, () => {
    const installed = JSON.parse(readFileSync(join(project, "node_modules/ioredis/package.json"), "utf8")) as { version: string };
    expect(Number(installed.version.split(".")[0])).toBe(major);
  });

  it("type-checks and builds the strict NodeNext service file with tsc", () => {
    const build = run(project, [tsc, "-p", "tsconfig.json"]);
    expect(build.stdout + build.stderr).toBe("");
    expect(build.status).toBe(0);
  });

  it.each([
    ["ESM, built from TypeScript", "dist/install.mjs"],
    ["CommonJS", "install.cjs"],
  ])("runs a Slack and a Jira install from %s", (_label, file) => {
    const result = run(project, [file]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      slack: expect.objectContaining({ ok: true, team_id: "T0ACME0001" }),
      jira: { accountId: expect.any(String), provider: "jira" },
      records: 2,
    });
  });
});
