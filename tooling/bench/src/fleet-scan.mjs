// Bench scenario `fleetScan`: sdk.scanConnections over 100,000 records in a RedisStore (pages of 1000), records/s
// and the heap it takes, against the raw ZRANGEBYLEX + MGET of the same pages. Measured in a fresh process
// (fleet-scan-child.mjs, --expose-gc) so that the heap figures are the scan's own. Only measures; prints nothing.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { benchDir, quick, round } from "./measure.mjs";

/** Bench scenario: `results.fleetScan`. */
export const fleetScan = {
  section: "fleetScan",
  progress: "fleet scan: 100,000 records in RedisStore…",
  run: ({ redisUrl }) => measureFleetScan(redisUrl),
  record(results, value) {
    results.fleetScan = value;
  },
  rows: ({ fleetScan: scan }) => [
    [
      `fleet scan: \`sdk.scanConnections\` over ${scan.records.toLocaleString("en")} records in RedisStore, pages of ${scan.pageSize} (\`fleetScan\`)`,
      `${scan.recordsPerSecond.toLocaleString("en")} records/s; heap at most ${scan.peakHeapAboveBaselineMiB} MiB above its start (RSS +${scan.peakRssAboveBaselineMiB} MiB), ${scan.retainedHeapAfterMiB} MiB retained after; a store's first scan indexes it once (${scan.firstScanIndexSeconds} s)`,
      `raw ZRANGEBYLEX + MGET of the same pages: ${scan.rawRecordsPerSecond.toLocaleString("en")} records/s`,
      `${round(scan.recordsPerSecond / scan.rawRecordsPerSecond)}x`,
      "bounded memory (one page)",
    ],
  ],
};

function measureFleetScan(redisUrl) {
  const prefix = `scan-${Math.random().toString(36).slice(2, 8)}`;
  const child = spawnSync(process.execPath, ["--expose-gc", join(benchDir, "src/fleet-scan-child.mjs"), redisUrl, prefix, quick ? "10000" : "100000"], { cwd: benchDir, encoding: "utf8", maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`fleet scan child failed: ${child.stderr.slice(0, 500)}`);
  return JSON.parse(child.stdout);
}
