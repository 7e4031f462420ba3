// Bench scenario `memory`: heap held per api-key integration in MemoryStore (100k, encrypted) and resolves/s over
// 10k of them, measured in a fresh process (memory-child.mjs) with --expose-gc. Only measures; prints nothing.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { benchDir, quick } from "./measure.mjs";

/** Bench scenario: `results.memory`. */
export const memory = {
  section: "memory",
  progress: "memory…",
  run: () => measureMemory(),
  record(results, value) {
    results.memory = value;
  },
  rows: ({ memory: mem }) => [
    [`memory: ${mem.integrations.toLocaleString("en")} api-key integrations in MemoryStore (encrypted)`, `${(mem.heapBytes / 1024 / 1024).toFixed(1)} MiB heap (${mem.bytesPerIntegration} B each)`, `created at ${mem.createsPerSecond.toLocaleString("en")}/s`, "—", "—"],
    [`resolves over ${mem.resolveSet.toLocaleString("en")} of them, 64 concurrent`, `${mem.resolvesPerSecond.toLocaleString("en")} resolves/s`, "no network (MemoryStore)", "—", "—"],
  ],
};

function measureMemory() {
  const child = spawnSync(process.execPath, ["--expose-gc", join(benchDir, "src/memory-child.mjs"), quick ? "10000" : "100000"], { cwd: benchDir, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`memory child failed: ${child.stderr.slice(0, 500)}`);
  return JSON.parse(child.stdout);
}
