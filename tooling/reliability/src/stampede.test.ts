// Stampede across processes (DESIGN section 7): 4 real node processes x 250 concurrent resolveConnection calls on
// one expired token, sharing RedisCache + RedisStore on one redis-server, against a token endpoint that takes 50 ms.
import type { Clock, OAuthEmulator } from "@sdk/oauth/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fingerprint, mergeResults, startWorkers, type Worker } from "./worker-pool.mjs";
import { percentile, scenario, sleep, startProvider, workerConfig, type Scenario } from "../test/fixture.js";

const PROCESSES = 4;
const CALLERS = 250;
const EXPIRIES = 20;

let server: OAuthEmulator<Clock>;
let shared: Scenario;
let workers: Worker[] = [];

beforeAll(async () => {
  server = await startProvider({ reuseWindowMs: 0 });
  shared = await scenario(workerConfig(inject("redis").url, server), server);
  workers = await startWorkers(PROCESSES, shared.config);
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  await shared?.close();
  await server?.close();
});

describe(`stampede: ${PROCESSES} processes x ${CALLERS} concurrent resolves of one expired token`, () => {
  it(`makes exactly one token-endpoint call per expiry, ${EXPIRIES} expiries in a row, and every caller gets the new token`, async () => {
    const { id, accountId } = await shared.install();
    const key = shared.tokenKey(id, accountId);
    // 50 ms on every token-endpoint answer, so the callers really pile up behind one refresh.
    server.fault("token", { kind: "delay", ms: 50 }, Number.POSITIVE_INFINITY);
    const tokenCallsBefore = server.counters.token ?? 0;
    const rows: Array<{ expiry: number; calls: number; p50: number; p99: number }> = [];
    let previous: string | undefined;
    for (let expiry = 1; expiry <= EXPIRIES; expiry++) {
      // Expire the token the way its TTL would: the access-token key is gone from the shared cache.
      expect(await shared.redis.del(key)).toBe(1);
      const refreshesBefore = server.stats.refreshes;
      const merged = mergeResults(await Promise.all(workers.map((worker) => worker.resolve(id, CALLERS))));
      const calls = server.stats.refreshes - refreshesBefore;
      const cached = (await shared.cachedAccessToken(key)) ?? null;
      expect(calls, `token calls at expiry ${expiry}`).toBe(1);
      expect(merged.errors).toEqual({});
      expect(cached).not.toBeNull();
      // Every one of the 1000 callers got the token that is now in the cache, and it is a new one.
      expect(merged.tokens).toEqual({ [fingerprint(cached!)]: PROCESSES * CALLERS });
      expect(cached).not.toBe(previous);
      previous = cached!;
      rows.push({ expiry, calls, p50: percentile(merged.latencies, 50), p99: percentile(merged.latencies, 99) });
    }
    expect(server.stats.refreshes).toBe(EXPIRIES);
    // Nothing else reached the token endpoint either (no failed or retried attempt).
    expect((server.counters.token ?? 0) - tokenCallsBefore).toBe(EXPIRIES);
    expect(server.stats.reuseDetected).toBe(0);
    expect(server.refreshTokenState((await shared.storedRefreshToken(id))!)).toBe("current");
    expect((await shared.rawRecord(id))!.status).toBe("active");
    console.log(
      `stampede: ${PROCESSES} processes x ${CALLERS} callers, ${EXPIRIES} expiries -> ${server.stats.refreshes} token calls\n` +
        rows.map((row) => `  expiry ${String(row.expiry).padStart(2)}: ${row.calls} call, caller latency p50 ${row.p50.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms`).join("\n"),
    );
  });
});

describe("stampede with the RedisCache L1 in every process", () => {
  it("still one token call per expiry, and no process serves the replaced token once the key was deleted through RedisCache", async () => {
    const withL1 = await startWorkers(PROCESSES, { ...shared.config, l1: { maxEntries: 1000, maxTtlMs: 60_000 } });
    try {
      const { id, accountId } = await shared.install();
      const key = shared.tokenKey(id, accountId);
      // Warm every L1 with the install's token.
      mergeResults(await Promise.all(withL1.map((worker) => worker.resolve(id, 10))));
      const before = server.stats.refreshes;
      for (let expiry = 1; expiry <= 5; expiry++) {
        // Through RedisCache, so the wake-up reaches every L1 (a plain DEL would not: see the storage-redis README).
        await shared.cache.delete(key);
        // The L1 contract is "forgotten once the wake-up is delivered": give pub/sub its delivery time before asking.
        await sleep(20);
        const refreshes = server.stats.refreshes;
        const merged = mergeResults(await Promise.all(withL1.map((worker) => worker.resolve(id, CALLERS))));
        expect(server.stats.refreshes - refreshes).toBe(1);
        const cached = (await shared.cachedAccessToken(key))!;
        expect(merged.errors).toEqual({});
        expect(merged.tokens).toEqual({ [fingerprint(cached)]: PROCESSES * CALLERS });
      }
      expect(server.stats.refreshes - before).toBe(5);
    } finally {
      await Promise.all(withL1.map((worker) => worker.close()));
    }
  });
});
