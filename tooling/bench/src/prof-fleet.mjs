// temporary profiling harness (not committed)
import { Redis } from "ioredis";
import { failFastRedisOptions } from "@sdk/storage-redis";
import { fleet } from "./fleet.mjs";
const connect = async (url) => { const c = new Redis(url, { ...failFastRedisOptions, lazyConnect: true }); await c.connect(); return c; };
async function throughput(operation, concurrency, durationMs) {
  let done = 0; const stopAt = performance.now() + durationMs; const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < stopAt) { await operation(); done += 1; } }));
  return done / ((performance.now() - started) / 1000);
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const round = (v) => Number(v.toFixed(2));
const r = await fleet({ redisUrl: process.env.BENCH_REDIS_URL, connect, throughput, median, round, rounds: Number(process.env.ROUNDS ?? 1), roundMs: Number(process.env.ROUND_MS ?? 1500), stateSecret: "bench-state-secret-0123456789abcdefghij", encryptionKey: Buffer.alloc(32, 5).toString("base64") });
delete r.samples; console.log(JSON.stringify(r));
