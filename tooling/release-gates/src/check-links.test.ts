// The documentation link checker (tooling/scripts/lib/check-links.mjs): it finds a broken link, a missing anchor and
// a named document that is not in the repository, and the repository's own Markdown has none of them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { checkLinks, headingSlug } from "../../scripts/lib/check-links.mjs";

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "links-"));
  scratch.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("check-links", () => {
  it("reports a missing file, a missing anchor, a named document that is absent, and nothing for good links", () => {
    const root = project({
      "README.md": "# Top\n[guide](docs/guide.md#getting-started) [bad](docs/nope.md) [anchor](docs/guide.md#missing) [web](https://example.com/x.md)\nSee DESIGN.md and MIGRATION.md.\n```\n[in code](ignored.md)\n```\n",
      "MIGRATION.md": "# Migration\n[back](README.md#top)\n",
      "docs/guide.md": "# Guide\n## Getting `started`!\n[up](../README.md) [outside](../../elsewhere.md)\n",
    });
    expect(checkLinks(root).map(({ file, line, target, reason }) => `${file}:${line} ${target} ${reason}`)).toEqual([
      "README.md:2 docs/nope.md does not exist",
      "README.md:2 docs/guide.md#missing has no heading #missing",
      "README.md:3 DESIGN.md is named but is not in the repository",
      "docs/guide.md:3 ../../elsewhere.md points outside the repository",
    ]);
  });

  it("slugs headings as GitHub does", () => {
    expect(headingSlug("`createSDK(options)`")).toBe("createsdkoptions");
    expect(headingSlug("Migration: before or during the rollout")).toBe("migration-before-or-during-the-rollout");
  });

  it("every README, MIGRATION.md and other document of this repository resolves", () => {
    expect(checkLinks(repositoryRoot)).toEqual([]);
  });
});
