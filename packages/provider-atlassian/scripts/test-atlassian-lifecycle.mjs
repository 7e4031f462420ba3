// `pnpm test:atlassian-lifecycle`: the 1.x rollout check on the built package. Runs the Atlassian happy path on the
// emulator and writes the evidence (every step, secrets redacted) to artifacts/atlassian-lifecycle.json at the repo root.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runAtlassianLifecycle } from "../dist/testing.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const artifacts = join(root, "artifacts");
const trace = await runAtlassianLifecycle({
  onStep: (step) => console.log(`${step.ok ? "ok  " : "FAIL"} ${step.step}`),
});
mkdirSync(artifacts, { recursive: true });
const file = join(artifacts, "atlassian-lifecycle.json");
writeFileSync(file, `${JSON.stringify(trace, null, 2)}\n`);
console.log(`${trace.ok ? "passed" : `failed: ${trace.failure}`} (${trace.steps.length} steps) -> ${relative(process.cwd(), file)}`);
process.exit(trace.ok ? 0 : 1);
