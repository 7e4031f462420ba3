// `node tooling/scripts/check-links.mjs`: checks every relative link and named document of the repository's Markdown
// (see lib/check-links.mjs). Also run by `pnpm test` through tooling/release-gates.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkLinks } from "./lib/check-links.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const problems = checkLinks(root);
for (const problem of problems) console.error(`${problem.file}:${problem.line}: ${problem.target} ${problem.reason}`);
console.log(problems.length === 0 ? "links: every link resolves" : `links: ${problems.length} broken`);
if (problems.length > 0) process.exit(1);
