// The link checker of the repository's documentation: every relative Markdown link (and its #anchor) and every
// file a document names as `something.md` must exist in the repository. External links are not fetched (CI has no
// network to the world); a mention of a document that is not in the repository is what users trip over.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SKIP_DIRS = new Set(["node_modules", "dist", ".git", ".changeset", ".reports", ".turbo", "artifacts", "api-reports"]);

/** The Markdown files the checker reads: READMEs, MIGRATION.md, SECURITY.md, ... (not changelogs, not changesets). */
export function listDocuments(root) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) walk(join(dir, entry.name));
      } else if (entry.name.endsWith(".md") && entry.name !== "CHANGELOG.md") {
        found.push(join(dir, entry.name));
      }
    }
  };
  walk(root);
  return found.sort();
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(file) {
  const slugs = new Set();
  const counts = new Map();
  let fenced = false;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const match = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!match) continue;
    const slug = headingSlug(match[1]);
    const seen = counts.get(slug) ?? 0;
    counts.set(slug, seen + 1);
    slugs.add(seen === 0 ? slug : `${slug}-${seen}`);
  }
  return slugs;
}

/** Text outside fenced code blocks, with line numbers kept. */
function proseLines(text) {
  let fenced = false;
  return text.split("\n").map((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line;
  });
}

/**
 * Problems of one document: `{ file, line, target, reason }`. A link resolves against the document's folder; a bare
 * mention of `name.md` resolves against the folder or the repository root.
 */
export function checkDocument(root, file) {
  const problems = [];
  const lines = proseLines(readFileSync(file, "utf8"));
  const at = (line, target, reason) => problems.push({ file: relative(root, file), line, target, reason });
  lines.forEach((text, index) => {
    const line = index + 1;
    const linked = new Set();
    for (const match of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = match[1];
      linked.add(target);
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [path, anchor] = target.split("#");
      const destination = path ? resolve(dirname(file), decodeURIComponent(path)) : file;
      if (!destination.startsWith(root)) at(line, target, "points outside the repository");
      else if (!existsSync(destination)) at(line, target, "does not exist");
      else if (anchor && statSync(destination).isFile() && destination.endsWith(".md") && !anchorsOf(destination).has(anchor)) at(line, target, `has no heading #${anchor}`);
    }
    for (const match of text.matchAll(/(?<![\w/.:-])([\w./-]*[\w-]+\.md)\b/g)) {
      const name = match[1];
      if ([...linked].some((target) => target.split("#")[0]?.endsWith(name))) continue;
      // Outputs a command writes (artifacts/) do not exist until it runs; API reports are named by file name.
      if (name.startsWith("artifacts/")) continue;
      if (![dirname(file), root, join(root, "api-reports")].some((base) => existsSync(resolve(base, name)))) at(line, name, "is named but is not in the repository");
    }
  });
  return problems;
}

export function checkLinks(root) {
  return listDocuments(root).flatMap((file) => checkDocument(root, file));
}
