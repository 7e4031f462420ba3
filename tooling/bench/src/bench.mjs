// `pnpm bench`: every figure measured side by side with its baseline in one run, on a private redis-server and
// in-process emulators on 127.0.0.1. Prints a table and writes artifacts/bench.json. Not a test: nothing here fails on
// a number. Runs on the built packages (the root script builds first). This file only runs the scenarios (one file
// each, named for what it measures) and prints their rows; a new figure is a new scenario listed below.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { startRedisServer } from "@sdk-tooling/redis-harness";
import { coldStart } from "./cold-start.mjs";
import { fleet } from "./fleet.mjs";
import { fleetScan } from "./fleet-scan.mjs";
import { hotPath } from "./hot-path.mjs";
import { log, root } from "./measure.mjs";
import { memory } from "./memory.mjs";
import { refreshAhead } from "./refresh-ahead.mjs";
import { refreshDue } from "./refresh-due.mjs";
import { scale } from "./scale.mjs";
import { stampede } from "./stampede.mjs";
import { tokenCallsPerExpiry } from "./token-calls-per-expiry.mjs";

/**
 * A scenario: `section` (the name `--only=` takes), `progress` (its stderr line), `run({ redisUrl })` resolving to
 * its figures, `record(results, figures)` placing them in bench.json, `rows(results)` its table rows
 * (figure, measured, baseline, ratio, target).
 */
// The stampede first: its emulator runs in this process, and the hot path leaves garbage for the GC behind.
const runOrder = [stampede, refreshAhead, hotPath, fleet, scale, tokenCallsPerExpiry, coldStart, memory, fleetScan, refreshDue];
const tableOrder = [hotPath, fleet, scale, stampede, refreshAhead, tokenCallsPerExpiry, coldStart, memory, fleetScan, refreshDue];

// `--only=fleet,stampede` runs some sections (while working on them); the table and bench.json need every section.
const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length).split(",");
const wanted = (section) => !only || only.includes(section);

function machine() {
  const model = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  const nproc = spawnSync("nproc", { encoding: "utf8" }).stdout.trim();
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  return { nproc: Number(nproc), cpu: model, node: process.version, loadAverageAtStart: load };
}

const redis = process.env.BENCH_REDIS_URL ? undefined : await startRedisServer();
const redisUrl = process.env.BENCH_REDIS_URL ?? redis.url;
const results = { machine: machine(), date: new Date().toISOString() };
try {
  for (const scenario of runOrder.filter((each) => wanted(each.section))) {
    log(scenario.progress);
    scenario.record(results, await scenario.run({ redisUrl }));
  }
} finally {
  await redis?.stop();
}

if (only) {
  console.log(JSON.stringify(results, (key, value) => (key === "samples" || key === "latencies" ? undefined : value), 2));
  process.exit(0);
}
const rows = tableOrder.flatMap((scenario) => scenario.rows(results));
const table = ["| figure | measured | baseline, same run | ratio | target |", "| --- | --- | --- | --- | --- |", ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
const machineLine = `Measured ${results.date.slice(0, 10)} on ${results.machine.nproc} cores (${results.machine.cpu}), Node ${results.machine.node}, load average ${results.machine.loadAverageAtStart} at start; private redis-server on 127.0.0.1.`;
mkdirSync(join(root, "artifacts"), { recursive: true });
writeFileSync(join(root, "artifacts/bench.json"), `${JSON.stringify({ ...results, table }, null, 2)}\n`);
console.log(`${table}\n\n${machineLine}\nwritten to artifacts/bench.json`);
