// Keep-alive across processes: 4 real node processes sweep one fleet with sdk.refreshDue at the same time, on one
// redis-server (RedisStore + RedisCache), against a token endpoint that rotates strictly (reuse revokes the grant).
// Each due grant must be refreshed exactly once, and no grant may see its rotated-out token presented.
import type { Clock, OAuthEmulator } from "@sdk/oauth/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startWorkers, type Worker } from "./worker-pool.mjs";
import { scenario, startProvider, withTiers, workerConfig, type Scenario } from "../test/fixture.js";

const PROCESSES = 4;
const FLEET = 40;
const MINUTE = 60_000;

let server: OAuthEmulator<Clock>;
let shared: Scenario;
let workers: Worker[] = [];
let fleet: Array<{ id: string; accountId: string }> = [];

beforeAll(async () => {
  server = await startProvider({ reuseWindowMs: 0 });
  // With the in-process tiers on everywhere: the sweep's checks read Redis, never a tier (a stale read would refresh twice).
  shared = await scenario(withTiers(workerConfig(inject("redis").url, server)), server);
  workers = await startWorkers(PROCESSES, shared.config);
  for (let index = 0; index < FLEET; index++) fleet.push(await shared.install());
  // Every token answer takes 20 ms, so the four sweeps really overlap on the same connections.
  server.fault("token", { kind: "delay", ms: 20 }, Number.POSITIVE_INFINITY);
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  await shared?.close();
  await server?.close();
});

async function sweepEverywhere(within: number) {
  const before = server.stats.refreshes;
  const results = await Promise.all(workers.map((worker, index) => worker.refreshDue(within, { limit: 7 + index, concurrency: 4 })));
  const refreshedIds = results.flatMap((result) => result.refreshedIds);
  return { results, refreshedIds, tokenCalls: server.stats.refreshes - before };
}

describe(`refreshDue: ${PROCESSES} processes sweep one fleet of ${FLEET} at once`, () => {
  it("refreshes each due grant exactly once and leaves the others alone", async () => {
    // 30 connections are due: their access tokens expired (the keys are gone, as their TTL would do).
    const due = fleet.slice(0, 30);
    for (const { id, accountId } of due) expect(await shared.redis.del(shared.tokenKey(id, accountId))).toBe(1);
    const { results, refreshedIds, tokenCalls } = await sweepEverywhere(10 * MINUTE);

    expect(tokenCalls).toBe(due.length);
    expect([...refreshedIds].sort()).toEqual(due.map(({ id }) => id).sort());
    for (const result of results) {
      expect(result.examined).toBe(FLEET);
      expect(result.failed).toBe(0);
      expect(result.needs_reauth).toBe(0);
      // Every connection was either refreshed here, found refreshed by another process, or not due.
      expect(result.refreshed + result.skipped + result.not_due).toBe(FLEET);
    }
    expect(results.reduce((sum, result) => sum + result.refreshed, 0)).toBe(due.length);
    expect(server.stats.reuseDetected).toBe(0);
    for (const { id } of fleet) {
      expect(server.refreshTokenState((await shared.storedRefreshToken(id))!)).toBe("current");
      expect((await shared.rawRecord(id))!.status).toBe("active");
    }
  });

  it("still once per grant when the window is longer than a token lives (every token is due)", async () => {
    // Every token now expires within 2 h, but the 30 refreshed a moment ago were refreshed in this sweep window: only
    // the other 10 are refreshed, once each, however the four processes interleave.
    const { results, refreshedIds, tokenCalls } = await sweepEverywhere(2 * 3600 * 1000);
    expect(tokenCalls).toBe(FLEET - 30);
    expect([...refreshedIds].sort()).toEqual(fleet.slice(30).map(({ id }) => id).sort());
    expect(results.every((result) => result.failed === 0)).toBe(true);
    expect(server.stats.reuseDetected).toBe(0);
    // Within the same sweep window a second round refreshes nothing.
    const again = await sweepEverywhere(2 * 3600 * 1000);
    expect(again.tokenCalls).toBe(0);
    console.log(
      `refreshDue: ${PROCESSES} processes x ${FLEET} connections -> ${tokenCalls} token calls; per process refreshed ${results.map((result) => result.refreshed).join("/")}, skipped ${results.map((result) => result.skipped).join("/")}`,
    );
  });
});
