// Run by bench.mjs with --expose-gc in a fresh process: heap held by N api-key integrations in MemoryStore
// (credentials encrypted, as in production), and resolves/s over 10k of them at concurrency 64. Prints JSON.
import { createSDK, defineApiKeyProvider, MemoryStore } from "@sdk/core";

const count = Number(process.argv[2] ?? 100_000);
const resolveSet = Math.min(10_000, count);
const settle = () => {
  for (let index = 0; index < 3; index++) globalThis.gc();
};

const sdk = createSDK({
  store: new MemoryStore(),
  encryption: { keys: [{ id: "k1", key: Buffer.alloc(32, 4).toString("base64") }] },
  providers: [defineApiKeyProvider({ id: "acme-key", baseUrl: "https://api.example.test" })],
});
const ids = [];
settle();
const before = process.memoryUsage().heapUsed;
const started = performance.now();
for (let index = 0; index < count; index++) {
  const saved = await sdk.createConnection({ provider: "acme-key", account_id: `acct-${index % 1000}`, created_by: "user-1", credentials: { api_key: `key-${index.toString(36)}-0123456789abcdef` } });
  if (index < resolveSet) ids.push(saved.id);
}
const createSeconds = (performance.now() - started) / 1000;
settle();
const heapBytes = process.memoryUsage().heapUsed - before;

let done = 0;
const durationMs = 2000;
const stopAt = performance.now() + durationMs;
const resolveStarted = performance.now();
await Promise.all(
  Array.from({ length: 64 }, async (_, lane) => {
    for (let cursor = lane; performance.now() < stopAt; cursor += 64) {
      await sdk.resolveConnection(ids[cursor % ids.length]);
      done += 1;
    }
  }),
);
const resolvesPerSecond = done / ((performance.now() - resolveStarted) / 1000);
process.stdout.write(
  JSON.stringify({
    integrations: count,
    heapBytes,
    bytesPerIntegration: Math.round(heapBytes / count),
    createsPerSecond: Math.round(count / createSeconds),
    resolveSet,
    resolvesPerSecond: Math.round(resolvesPerSecond),
  }),
);
