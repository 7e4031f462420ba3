// `pnpm trace:slack-requested-flow` (root) -> this script, after the build: prints the Slack token refresh path as a
// readable step-by-step trace and keeps it under artifacts/slack-requested-flow/ at the repository root.
// Exits 1 when the flow broke its promise (more than one refresh per chain, tokens differing) or printed a secret.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { traceSlackRefreshFlow } from "@sdk/provider-slack/testing";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const out = join(root, "artifacts", "slack-requested-flow");
const trace = await traceSlackRefreshFlow();
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "trace.txt"), trace.text);
writeFileSync(join(out, "trace.json"), `${JSON.stringify({ ok: trace.ok, summary: trace.summary, steps: trace.steps }, null, 2)}\n`);
console.log(trace.text);
console.log(`${trace.ok ? "OK" : "FAILED"}: evidence in ${relative(root, out)}/trace.txt and trace.json`);
process.exit(trace.ok ? 0 : 1);
