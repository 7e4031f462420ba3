// Redis stopped and restarted on the same port while 4 processes resolve in a loop, and while a refresh is at the
// provider (so its answer comes back to a Redis that is gone). This Redis is the suite's own (AOF, appendfsync
// always), never REDIS_URL: the test has to stop it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock, OAuthEmulator } from "@sdk/oauth/testing";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort, startRedisServer, type RedisServerHandle } from "@sdk-tooling/redis-harness";
import { fingerprint, mergeResults, startWorkers, type Worker } from "./worker-pool.mjs";
import { scenario, sleep, startProvider, until, workerConfig, type Scenario } from "../test/fixture.js";

const { bin } = inject("redis");
const skipReason = bin ? undefined : "needs the redis-server binary to stop and restart a private Redis";

const PROCESSES = 4;
const LANES = 16;

describe.skipIf(skipReason !== undefined)(`Redis outage under load${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let dir: string | undefined;
  let redisServer: RedisServerHandle | undefined;
  let server: OAuthEmulator<Clock> | undefined;
  let shared: Scenario | undefined;
  let workers: Worker[] = [];

  const startRedis = (port?: number) => {
    dir ??= mkdtempSync(join(tmpdir(), "sdk-reliability-redis-"));
    return startRedisServer({ bin, ...(port ? { port } : {}), args: ["--dir", dir, "--appendonly", "yes", "--appendfsync", "always"] });
  };

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await shared?.close();
    await server?.close();
    await redisServer?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("fails fast with retryable cache_unavailable / store_unavailable, writes nothing half-way, and refreshes exactly once per expiry after the restart", { timeout: 90_000 }, async () => {
    redisServer = await startRedis(await freePort());
    server = await startProvider({ reuseWindowMs: 0 });
    // A provider without a reuse window: a rotated refresh token lost in the outage would show as reuse + revocation.
    shared = await scenario(workerConfig(redisServer.url, server, { refreshReuseWindow: false, lockLeaseMs: 6000 }), server);
    workers = await startWorkers(PROCESSES, shared.config);
    const { id, accountId } = await shared.install();
    const key = shared.tokenKey(id, accountId);

    await Promise.all(workers.map((worker) => worker.startLoad(id, LANES, 5)));
    await sleep(500);

    // Expire the token with a slow provider, and take Redis away while the refresh is at the provider.
    const refreshesBefore = server.stats.refreshes;
    server.fault("token", { kind: "delay", ms: 400 }, 1);
    const tokenCalls = server.counters.token ?? 0;
    await shared.redis.del(key);
    await until(() => (server!.counters.token ?? 0) > tokenCalls, 5000, "a refresh to reach the provider");
    const port = redisServer.port;
    await redisServer.stop();
    redisServer = undefined;
    const downAt = Date.now();
    await sleep(1500);
    redisServer = await startRedis(port);
    const downMs = Date.now() - downAt;
    await until(async () => (await shared!.redis.ping().catch(() => "")) === "PONG", 15_000, "the test's client to reconnect");
    await sleep(1500);

    const loads = await Promise.all(workers.map((worker) => worker.stopLoad()));
    const calls = loads.reduce((sum, load) => sum + load.calls, 0);
    const errors: Record<string, number> = {};
    for (const load of loads) for (const [code, count] of Object.entries(load.errors)) errors[code] = (errors[code] ?? 0) + count;
    const slowestFailureMs = Math.max(...loads.map((load) => load.slowestFailureMs));
    const refreshesInOutage = server.stats.refreshes - refreshesBefore;

    // Every failure was a retryable unavailability of Redis (no crash, no final error, no refresh error).
    expect(Object.keys(errors).length).toBeGreaterThan(0);
    for (const code of Object.keys(errors)) expect(["cache_unavailable", "store_unavailable"]).toContain(code);
    // Fast: no call waited for Redis to come back (a call that was mid-refresh waits at most for the provider).
    expect(slowestFailureMs).toBeLessThan(2000);

    // Nothing half-way: the record holds the provider's current refresh token, and one version per rotation.
    const record = (await shared.rawRecord(id))!;
    const stored = (await shared.storedRefreshToken(id))!;
    expect(record.status).toBe("active");
    expect(server.refreshTokenState(stored)).toBe("current");
    expect(server.stats.reuseDetected).toBe(0);
    expect(record.version).toBe(1 + server.stats.refreshes);

    // And exactly-once refreshing is back: 4 processes x 250 callers, one token call per expiry.
    for (let expiry = 1; expiry <= 3; expiry++) {
      await shared.redis.del(key);
      const before = server.stats.refreshes;
      const merged = mergeResults(await Promise.all(workers.map((worker) => worker.resolve(id, 250))));
      expect(server.stats.refreshes - before).toBe(1);
      expect(merged.errors).toEqual({});
      const cached = (await shared.cachedAccessToken(key))!;
      expect(merged.tokens).toEqual({ [fingerprint(cached)]: PROCESSES * 250 });
    }
    const finalState = server.refreshTokenState((await shared.storedRefreshToken(id))!);
    expect(finalState).toBe("current");
    console.log(
      `redis outage: down ${downMs} ms under ${PROCESSES}x${LANES} resolve loops; ${calls} calls, errors ${JSON.stringify(errors)}, ` +
        `slowest failure ${slowestFailureMs.toFixed(0)} ms; refreshes during the outage window ${refreshesInOutage}; ` +
        `record v${record.version} with the provider's current refresh token; then 3 expiries x ${PROCESSES * 250} callers -> 3 token calls, stored token ${finalState}`,
    );
  });
});
