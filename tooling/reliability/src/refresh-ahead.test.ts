// Refresh-ahead across processes: 4 real node processes x 250 concurrent resolves of a token inside its refresh-ahead
// window, on one redis-server (RedisCache + RedisStore), tokens that really expire on the wall clock. Every caller gets
// the still-valid token at once, exactly one token call per window across the processes, the next token replaces it;
// a failed background refresh is an event and the next caller in the window retries. Again with both tiers on.
import type { CachedToken } from "@sdk/oauth";
import { readCachedToken, type Clock, type OAuthEmulator } from "@sdk/oauth/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fingerprint, mergeResults, startWorkers, type Worker } from "./worker-pool.mjs";
import { scenario, sleep, startProvider, until, withTiers, workerConfig, type Scenario } from "../test/fixture.js";

const PROCESSES = 4;
const CALLERS = 250;
// 10 s tokens, 1 s skew, 4 s asked: the window is [5 s, 9 s) after issue (it never opens before half the lifetime).
const TOKEN_SECONDS = 10;
const TUNING = { skewSeconds: 1, refreshAheadSeconds: 4, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } };
const WINDOW_OPENS_MS = 5000;

let server: OAuthEmulator<Clock>;

beforeAll(async () => {
  server = await startProvider({ accessTokenTtlSeconds: TOKEN_SECONDS, reuseWindowMs: 0 });
});

afterAll(async () => {
  await server?.close();
});

async function cachedToken(shared: Scenario, key: string): Promise<CachedToken> {
  const token = await readCachedToken({ get: async (name) => (await shared.redis.get(name)) ?? undefined }, key, [{ id: "k1", key: shared.config.encryptionKey }]);
  if (!token) throw new Error("no cached token");
  return token;
}

/** Sleeps until the cached token's window is open (a little after, so the slowest process sees it open too). */
async function untilWindowOpens(token: CachedToken): Promise<void> {
  const opensAt = token.issued_at! + WINDOW_OPENS_MS + 150;
  await sleep(Math.max(0, opensAt - Date.now()));
}

/** One window: 4 x 250 resolves inside it; returns what they got and the token calls it caused. */
async function burstInWindow(shared: Scenario, workers: Worker[], id: string, key: string) {
  const current = await cachedToken(shared, key);
  await untilWindowOpens(current);
  expect(Date.now(), "the burst must start inside the window").toBeLessThan(current.expires_at - 1000);
  const refreshesBefore = server.stats.refreshes;
  const merged = mergeResults(await Promise.all(workers.map((worker) => worker.resolve(id, CALLERS))));
  return { current, merged, refreshesBefore };
}

async function runWindows(shared: Scenario, workers: Worker[], windows: number) {
  const { id, accountId } = await shared.install();
  const key = shared.tokenKey(id, accountId);
  const installed = await cachedToken(shared, key);
  let previous = installed;
  for (let window = 1; window <= windows; window++) {
    const { current, merged, refreshesBefore } = await burstInWindow(shared, workers, id, key);
    expect(current.access_token).toBe(previous.access_token);
    // One background refresh across the 4 processes; nothing more once it is done.
    await until(() => server.stats.refreshes > refreshesBefore, 5000, "the background refresh");
    await until(async () => (await cachedToken(shared, key)).access_token !== current.access_token, 5000, "the new token in the cache");
    await sleep(300);
    expect(server.stats.refreshes - refreshesBefore, `token calls in window ${window}`).toBe(1);
    const next = await cachedToken(shared, key);
    // Nobody failed: each caller got the token cached when the window opened or, in a process whose burst ran after
    // the background refresh had landed (the endpoint answers in a few ms), the new one. The old token came first.
    expect(merged.errors).toEqual({});
    expect(Object.keys(merged.tokens).every((token) => token === fingerprint(current.access_token) || token === fingerprint(next.access_token))).toBe(true);
    expect(merged.tokens[fingerprint(current.access_token)]).toBeGreaterThan(0);
    expect(Object.values(merged.tokens).reduce((sum, count) => sum + count, 0)).toBe(PROCESSES * CALLERS);
    expect(next.expires_at).toBeGreaterThan(current.expires_at);
    // Every process now serves the new token (with tiers: the write reached every L1 and record tier).
    const after = mergeResults(await Promise.all(workers.map((worker) => worker.resolve(id, 10))));
    expect(after.tokens).toEqual({ [fingerprint(next.access_token)]: PROCESSES * 10 });
    expect(server.stats.refreshes - refreshesBefore).toBe(1);
    previous = next;
  }
  expect(server.stats.reuseDetected).toBe(0);
  expect(server.refreshTokenState((await shared.storedRefreshToken(id))!)).toBe("current");
  return { id, key };
}

describe(`refresh-ahead: ${PROCESSES} processes x ${CALLERS} resolves inside the window`, () => {
  let shared: Scenario;
  let workers: Worker[] = [];
  beforeAll(async () => {
    shared = await scenario(workerConfig(inject("redis").url, server, TUNING), server);
    workers = await startWorkers(PROCESSES, shared.config);
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.close()));
    await shared?.close();
  });

  it("serves the current token to every caller and makes exactly one token call per window, 2 windows in a row", async () => {
    await runWindows(shared, workers, 2);
  });

  it("a failed background refresh is an event; callers keep the current token and the next caller retries", async () => {
    const { id, accountId } = await shared.install();
    const key = shared.tokenKey(id, accountId);
    await Promise.all(workers.map((worker) => worker.events()));
    server.fault("token", { kind: "status", status: 503, body: { error: "temporarily_unavailable" } }, 1);
    const { current, merged, refreshesBefore } = await burstInWindow(shared, workers, id, key);
    expect(merged.errors).toEqual({});
    expect(merged.tokens).toEqual({ [fingerprint(current.access_token)]: PROCESSES * CALLERS });
    const failures = async () => (await Promise.all(workers.map((worker) => worker.events()))).flatMap((seen) => seen.events);
    const seen: string[] = [];
    await until(async () => (seen.push(...(await failures())), seen.includes("token.refresh_failed:background")), 5000, "the background failure event");
    expect(seen.filter((name) => name === "token.refresh_failed:background")).toHaveLength(1);
    expect(server.stats.refreshes).toBe(refreshesBefore);
    const tokenCallsAfterFailure = server.counters.token ?? 0;
    // While the failure is remembered (2 s), a process whose pause ended takes the lock, reads it and stands down.
    await sleep(1100);
    // (A machine too slow to reach this point within the memory says so here, not as a puzzling token call below.)
    expect(await shared.redis.pttl(shared.failureKey(id)), "the failure still remembered for the next burst").toBeGreaterThan(300);
    const during = mergeResults(await Promise.all(workers.map((worker) => worker.resolve(id, 25))));
    expect(during.tokens).toEqual({ [fingerprint(current.access_token)]: PROCESSES * 25 });
    await sleep(200);
    expect(server.stats.refreshes).toBe(refreshesBefore);
    expect(server.counters.token ?? 0).toBe(tokenCallsAfterFailure);
    // Once it is forgotten, the next caller in the window takes the lock and refreshes, once across the processes.
    // (Callers every 50 ms from then on, so the retry comes as soon as it may: the window closes 4 s after it opened.)
    const again: Array<ReturnType<typeof mergeResults>> = [];
    await until(async () => {
      again.push(mergeResults(await Promise.all(workers.map((worker) => worker.resolve(id, 5)))));
      await sleep(50);
      return server.stats.refreshes > refreshesBefore;
    }, 5000, "the retried refresh");
    await until(async () => (await cachedToken(shared, key)).access_token !== current.access_token, 5000, "the new token in the cache");
    const next = await cachedToken(shared, key);
    // Every caller got the current token or, once the retry had landed, the new one.
    expect(again.flatMap((burst) => Object.keys(burst.errors))).toEqual([]);
    expect(again.flatMap((burst) => Object.keys(burst.tokens)).every((token) => token === fingerprint(current.access_token) || token === fingerprint(next.access_token))).toBe(true);
    await sleep(300);
    expect(server.stats.refreshes).toBe(refreshesBefore + 1);
    expect((await shared.rawRecord(id))!.status).toBe("active");
  });
});

describe("refresh-ahead with RedisCache l1 and RedisStore recordTier in every process", () => {
  it("still one token call per window, and every process moves to the new token", async () => {
    const shared = await scenario(withTiers(workerConfig(inject("redis").url, server, TUNING)), server);
    const workers = await startWorkers(PROCESSES, shared.config);
    try {
      await runWindows(shared, workers, 2);
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
      await shared.close();
    }
  });
});
