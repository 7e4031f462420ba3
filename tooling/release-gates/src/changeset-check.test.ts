import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { evaluate, main, parseChangeset } from "../../scripts/changeset-check.mjs";

const PACKAGES = [
  { name: "@sdk/core", relativeDir: "packages/core", entries: [{ subpath: ".", reportPath: "api-reports/core.api.md" }] },
  { name: "@sdk/oauth", relativeDir: "packages/oauth", entries: [{ subpath: ".", reportPath: "api-reports/oauth.api.md" }] },
];
const REPORT_V1 = "```ts\n// @public\nexport function connect(id: string): void;\n```\n";
const REPORT_ADDED = "```ts\n// @public\nexport function connect(id: string): void;\n// @public\nexport function disconnect(): void;\n```\n";
const REPORT_CHANGED = "```ts\n// @public\nexport function connect(id: string, retries?: number): void;\n```\n";
const changeset = (file: string, text: string) => parseChangeset(file, text);

describe("parseChangeset", () => {
  it("reads quoted and bare package names, and the API-compatible note", () => {
    const parsed = changeset(".changeset/a.md", '---\n"@sdk/core": minor\n@sdk/oauth: major\n---\n\nAdds retries.\n\nAPI-compatible: `retries` is optional.\n');
    expect([...parsed.releases]).toEqual([["@sdk/core", "minor"], ["@sdk/oauth", "major"]]);
    expect(parsed.apiCompatible).toBe("`retries` is optional.");
  });

  it("refuses a file without front matter or with a line it cannot read", () => {
    expect(() => changeset(".changeset/b.md", "just prose\n")).toThrow(/no front matter/);
    expect(() => changeset(".changeset/c.md", '---\n"@sdk/core": huge\n---\n')).toThrow(/cannot read front matter line/);
  });
});

describe("evaluate", () => {
  const run = (changedFiles: string[], changesets: ReturnType<typeof changeset>[], reportChanges: { path: string; before?: string; after?: string }[] = []) =>
    evaluate({ packages: PACKAGES, changedFiles, changesets, reportChanges: reportChanges.map((change) => ({ before: undefined, after: undefined, ...change })) });

  it("fails a src change that no changeset names, and names the package", () => {
    const { problems } = run(["packages/core/src/create-sdk.ts"], [changeset("x.md", '---\n"@sdk/oauth": patch\n---\n')]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("@sdk/core changed but no .changeset/*.md names it");
  });

  it("accepts any bump for a src change that leaves the API report alone", () => {
    expect(run(["packages/core/src/create-sdk.ts"], [changeset("x.md", '---\n"@sdk/core": patch\n---\n')]).problems).toEqual([]);
  });

  it("ignores tests, files outside src/ and packages it does not publish", () => {
    const { problems, lines } = run(["packages/core/src/memory-store.test.ts", "packages/core/README.md", "packages/other/src/a.ts", "tooling/x.mjs"], []);
    expect(problems).toEqual([]);
    expect(lines).toEqual([]);
  });

  it("asks for minor when the report only gained lines", () => {
    const reportChanges = [{ path: "api-reports/core.api.md", before: REPORT_V1, after: REPORT_ADDED }];
    expect(run([], [changeset("x.md", '---\n"@sdk/core": patch\n---\n')], reportChanges).problems[0]).toMatch(/needs at least minor/);
    expect(run([], [changeset("x.md", '---\n"@sdk/core": minor\n---\n')], reportChanges).problems).toEqual([]);
  });

  it("asks for major when a report line was removed or changed", () => {
    const reportChanges = [{ path: "api-reports/core.api.md", before: REPORT_V1, after: REPORT_CHANGED }];
    const { problems } = run([], [changeset("x.md", '---\n"@sdk/core": minor\n---\n')], reportChanges);
    expect(problems[0]).toMatch(/needs a major changeset/);
    expect(run([], [changeset("x.md", '---\n"@sdk/core": major\n---\n')], reportChanges).problems).toEqual([]);
  });

  it("lets a documented backward-compatible change ship as minor, but not as patch", () => {
    const reportChanges = [{ path: "api-reports/core.api.md", before: REPORT_V1, after: REPORT_CHANGED }];
    const note = "\nAPI-compatible: retries is optional and defaults to the old behaviour.\n";
    expect(run([], [changeset("x.md", `---\n"@sdk/core": minor\n---\n${note}`)], reportChanges).problems).toEqual([]);
    expect(run([], [changeset("x.md", `---\n"@sdk/core": patch\n---\n${note}`)], reportChanges).problems).toHaveLength(1);
  });

  it("takes the highest bump over every changeset naming the package", () => {
    const reportChanges = [{ path: "api-reports/oauth.api.md", before: REPORT_V1, after: undefined }];
    const changesets = [changeset("a.md", '---\n"@sdk/oauth": patch\n---\n'), changeset("b.md", '---\n"@sdk/oauth": major\n"@sdk/core": minor\n---\n')];
    const { problems, lines } = run([], changesets, reportChanges);
    expect(problems).toEqual([]);
    expect(lines[0]).toContain("has major in a.md, b.md");
  });
});

describe("main, against a real git repository", () => {
  let root: string;
  const logs: string[] = [];
  const check = (env: Record<string, string> = {}) => main({ root, env, log: (line: string) => logs.push(line), error: (line: string) => logs.push(line) });
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=gates", "-c", "user.email=gates@example.invalid", "-c", "commit.gpgsign=false", ...args], { cwd: root, stdio: "pipe" });
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const commit = (message: string) => {
    git("add", "-A");
    git("commit", "-q", "-m", message);
  };

  function repository() {
    root = mkdtempSync(join(tmpdir(), "changeset-check-"));
    logs.length = 0;
    git("init", "-q", "-b", "main");
    write("packages/core/package.json", JSON.stringify({ name: "@sdk/core", version: "2.0.0", exports: { ".": { import: { types: "./dist/index.d.ts" } } } }));
    write("packages/core/src/index.ts", "export const a = 1;\n");
    write("api-reports/core.api.md", REPORT_V1);
    write(".changeset/config.json", "{}\n");
    commit("initial");
  }
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("skips, saying why, when there is nothing to compare with", () => {
    repository();
    expect(check()).toBe(0);
    expect(logs.join("\n")).toMatch(/skipped: no BASE_REF.*no HEAD~1/);
  });

  it("on main, checks the last commit and counts an uncommitted changeset", () => {
    repository();
    write("packages/core/src/index.ts", "export const a = 2;\n");
    commit("change core");
    expect(check()).toBe(1);
    expect(logs.join("\n")).toContain("base");
    expect(logs.join("\n")).toContain("(HEAD~1)");
    expect(logs.join("\n")).toContain("@sdk/core changed but no .changeset/*.md names it");
    write(".changeset/core-change.md", '---\n"@sdk/core": patch\n---\n\nFixes a.\n');
    logs.length = 0;
    expect(check()).toBe(0);
  });

  it("on a branch, compares with the merge-base and classifies the report diff", () => {
    repository();
    git("checkout", "-q", "-b", "feature");
    write("packages/core/src/index.ts", "export function connect(id: string, retries?: number) {}\n");
    write("api-reports/core.api.md", REPORT_CHANGED);
    write(".changeset/retries.md", '---\n"@sdk/core": minor\n---\n\nRetries.\n');
    commit("retries");
    write("packages/core/src/other.ts", "export {};\n");
    commit("second commit on the branch");
    expect(check()).toBe(1);
    expect(logs.join("\n")).toContain("merge-base with main");
    expect(logs.join("\n")).toContain("API report api-reports/core.api.md: lines removed or changed");
    write(".changeset/retries.md", '---\n"@sdk/core": major\n---\n\nRetries.\n');
    expect(check()).toBe(0);
  });

  it("honours BASE_REF, and refuses one that is not a commit", () => {
    repository();
    write("api-reports/core.api.md", REPORT_ADDED);
    write(".changeset/add.md", '---\n"@sdk/core": minor\n---\n\nAdds disconnect.\n');
    commit("add disconnect");
    expect(check({ BASE_REF: "HEAD" })).toBe(0); // the working tree is HEAD: nothing changed
    expect(check({ BASE_REF: "HEAD~1" })).toBe(0);
    expect(() => check({ BASE_REF: "no-such-ref" })).toThrow(/BASE_REF=no-such-ref is not a commit/);
  });

  it("does not count the first commit of api-reports/ as an API change", () => {
    repository();
    git("rm", "-q", "-r", "api-reports");
    commit("no reports yet");
    write("api-reports/core.api.md", REPORT_V1);
    commit("add reports");
    expect(check()).toBe(0);
    expect(logs.join("\n")).toContain("the reports are new, not an API change");
  });
});
