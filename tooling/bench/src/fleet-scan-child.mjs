// Run by fleet-scan.mjs with --expose-gc in a fresh process: seeds N records into a RedisStore (through `create`, so
// every index is real), then walks them with sdk.scanConnections (pages of 1000) and, as the baseline, with the raw
// commands one page costs (ZRANGEBYLEX + MGET, no parsing). Samples the heap after every page. Prints JSON.
import { createSDK, defineApiKeyProvider } from "@sdk/core";
import { RedisStore, failFastRedisOptions } from "@sdk/storage-redis";
import { Redis } from "ioredis";

const [redisUrl, prefix, countText] = process.argv.slice(2);
const count = Number(countText);
const PAGE = 1000;
const client = new Redis(redisUrl, { ...failFastRedisOptions, lazyConnect: true });
await client.connect();
const store = new RedisStore(client, { keyPrefix: prefix });
const settle = () => {
  for (let index = 0; index < 3; index++) globalThis.gc();
};

// Records as the SDK writes them (an envelope-shaped credential; the store never decrypts), 128 writes in flight.
const stamp = "2026-11-30T00:00:00.000Z";
const seedStarted = performance.now();
for (let next = 0; next < count; ) {
  const batch = [];
  for (let lane = 0; lane < 128 && next < count; lane++, next++) {
    const index = next;
    batch.push(
      store.create({
        id: `scan-${index.toString().padStart(7, "0")}`,
        provider: "keyed",
        account_id: `acct-${index % 1000}`,
        created_by: "user-1",
        auth_type: "api_key",
        status: "active",
        scopes: [],
        credentials: { api_key: { v: 2, kid: "k1", iv: "aXZpdml2aXZpdml2", tag: "dGFndGFndGFndGFndGFn", ct: `Y3QtY3QtY3QtY3QtY3Qt${index}` } },
        metadata: { site_name: `Site ${index}` },
        natural_key: null,
        version: 1,
        created_at: stamp,
        updated_at: stamp,
      }),
    );
  }
  await Promise.all(batch);
}
const seedSeconds = (performance.now() - seedStarted) / 1000;

const sdk = createSDK({
  store,
  encryption: { keys: [{ id: "k1", key: Buffer.alloc(32, 6).toString("base64") }] },
  providers: [defineApiKeyProvider({ id: "keyed", baseUrl: "https://api.example.test" })],
});

// Baseline: the two commands a page costs, read raw (strings, no parsing, no summaries).
const tag = `{${prefix}}`;
const rawStarted = performance.now();
let rawRecords = 0;
for (let after = "-"; ; ) {
  const ids = await client.zrangebylex(`${tag}:scan:all`, after, "+", "LIMIT", 0, PAGE);
  if (ids.length === 0) break;
  rawRecords += (await client.mget(ids.map((id) => `${tag}:record:${id}`))).filter((value) => value !== null).length;
  if (ids.length < PAGE) break;
  after = `(${ids[ids.length - 1]}`;
}
const rawSeconds = (performance.now() - rawStarted) / 1000;

// The first scan of a store that no scan has marked indexed yet makes one pass over it (records written before the scan
// sets existed are added): timed on its own, then the steady state is measured.
const indexStarted = performance.now();
await sdk.scanConnections({ limit: 1 });
const firstScanSeconds = (performance.now() - indexStarted) / 1000;

// The SDK's scan: records/s, and the heap above the settled baseline after every page (garbage included: an upper bound).
settle();
const baseline = process.memoryUsage();
let peakHeap = 0;
let peakRss = 0;
let records = 0;
let pages = 0;
const started = performance.now();
let cursor = null;
do {
  const page = await sdk.scanConnections({ limit: PAGE, ...(cursor ? { cursor } : {}) });
  records += page.items.length;
  pages += 1;
  cursor = page.cursor;
  const usage = process.memoryUsage();
  peakHeap = Math.max(peakHeap, usage.heapUsed - baseline.heapUsed);
  peakRss = Math.max(peakRss, usage.rss - baseline.rss);
} while (cursor);
const seconds = (performance.now() - started) / 1000;
settle();
const retainedHeap = process.memoryUsage().heapUsed - baseline.heapUsed;

await sdk.close();
client.disconnect();
process.stdout.write(
  JSON.stringify({
    records,
    pages,
    pageSize: PAGE,
    seededPerSecond: Math.round(count / seedSeconds),
    firstScanIndexSeconds: Number(firstScanSeconds.toFixed(2)),
    recordsPerSecond: Math.round(records / seconds),
    rawRecords,
    rawRecordsPerSecond: Math.round(rawRecords / rawSeconds),
    peakHeapAboveBaselineMiB: Number((peakHeap / 1024 / 1024).toFixed(1)),
    peakRssAboveBaselineMiB: Number((peakRss / 1024 / 1024).toFixed(1)),
    retainedHeapAfterMiB: Number((retainedHeap / 1024 / 1024).toFixed(1)),
  }),
);
