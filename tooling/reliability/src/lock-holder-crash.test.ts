// The process holding the refresh lock is SIGKILLed at each point of a refresh; three other processes with 250
// callers each then resolve the same expired token. A short lease (1.5 s) lets them take over. The table printed at the
// end is the measured outcome of every kill point, with and without a provider reuse window (README of @sdk/oauth,
// "The one window").
import type { Clock, OAuthEmulator } from "@sdk/oauth/testing";
import { describe, expect, inject, it } from "vitest";
import { mergeResults, startWorkers, type Worker } from "./worker-pool.mjs";
import { scenario, scenarioTable, startProvider, until, withTiers, workerConfig, type Scenario } from "../test/fixture.js";

const LEASE_MS = 1500;
const SURVIVORS = 3;
const CALLERS = 250;

type KillPoint = "before-token-call" | "after-token-answer" | "after-journal-write";

interface Variant {
  point: KillPoint;
  reuseWindowMs: number;
  /** What the provider's rules allow: the connection keeps working, or the grant is gone and the user must reconnect. */
  expect: "working" | "needs_reauth";
  /** Token-endpoint calls in total: the victim's (if it got that far) plus the survivors'. */
  tokenCalls: number;
  /** Every process runs with the in-process tiers on (RedisCache L1 + RedisStore record tier). */
  tiers: boolean;
}

// Every other variant with the in-process tiers on: the protocol must not care whether they are.
const variants: Variant[] = [
  { point: "before-token-call", reuseWindowMs: 0, expect: "working", tokenCalls: 1, tiers: false },
  { point: "after-journal-write", reuseWindowMs: 0, expect: "working", tokenCalls: 2, tiers: true },
  { point: "after-journal-write", reuseWindowMs: 60_000, expect: "working", tokenCalls: 2, tiers: false },
  { point: "after-token-answer", reuseWindowMs: 60_000, expect: "working", tokenCalls: 2, tiers: true },
  // The bare window: the rotated token existed only in the dead process, and this provider kills the old one at once.
  { point: "after-token-answer", reuseWindowMs: 0, expect: "needs_reauth", tokenCalls: 2, tiers: false },
];

const { rows: table, cleanup: atEnd } = scenarioTable(
  () => `lock holder SIGKILLed (lease ${LEASE_MS} ms; ${SURVIVORS} surviving processes x ${CALLERS} callers):`,
  ["kill point", "reuse window", "tiers", "token calls", "survivors' callers", "takeover after kill", "final status", "stored refresh token at provider", "reuse detected"],
);

describe("crash of the refresh-lock holder (SIGKILL)", () => {
  it.each(variants)("killed $point, reuse window $reuseWindowMs ms, tiers $tiers -> connection $expect", async (variant) => {
    const server: OAuthEmulator<Clock> = await startProvider({ reuseWindowMs: variant.reuseWindowMs });
    atEnd(() => server.close());
    const config = workerConfig(inject("redis").url, server, { lockLeaseMs: LEASE_MS, timeoutMs: 400, retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 200 }, refreshReuseWindow: variant.reuseWindowMs > 0 });
    const shared: Scenario = await scenario(variant.tiers ? withTiers(config) : config, server);
    atEnd(() => shared.close());
    const workers: Worker[] = await startWorkers(1 + SURVIVORS, shared.config);
    atEnd(async () => {
      await Promise.all(workers.map((worker) => worker.close()));
    });
    const [victim, ...survivors] = workers as [Worker, ...Worker[]];
    const { id, accountId } = await shared.install();
    const lockKey = `integration:acme:${id}:app_user:${accountId}:refresh_lock`;
    await shared.redis.del(shared.tokenKey(id, accountId));
    const storedBefore = await shared.storedRefreshToken(id);

    await victim.arm(variant.point);
    const victimCall = victim.resolve(id, 1).then(
      () => "resolved",
      () => "died",
    );
    expect(await victim.exited).toBe("SIGKILL");
    const killedAt = Date.now();
    expect(await victimCall).toBe("died");
    expect(victim.diedAt).toBe(variant.point);
    // The dead process's lease is still in Redis: nobody may refresh until it ends.
    const leaseLeft = await shared.redis.pttl(lockKey);
    expect(leaseLeft).toBeGreaterThan(0);
    expect(leaseLeft).toBeLessThanOrEqual(LEASE_MS);
    expect(server.stats.refreshes).toBe(variant.point === "before-token-call" ? 0 : 1);

    const merged = mergeResults(await Promise.all(survivors.map((worker) => worker.resolve(id, CALLERS))));
    const takeoverMs = Date.now() - killedAt;
    const record = (await shared.rawRecord(id))!;
    const stored = (await shared.storedRefreshToken(id))!;
    const providerView = server.refreshTokenState(stored);

    expect(server.counters.token).toBe(1 + variant.tokenCalls); // the install's code exchange, then the refreshes
    // Nobody overtook the dead holder's lease.
    expect(takeoverMs).toBeGreaterThanOrEqual(leaseLeft - 50);
    if (variant.expect === "working") {
      expect(merged.errors).toEqual({});
      expect(Object.values(merged.tokens)).toEqual([SURVIVORS * CALLERS]);
      expect(record.status).toBe("active");
      expect(providerView).toBe("current");
      expect(stored).not.toBe(storedBefore);
      expect(server.stats.reuseDetected).toBe(0);
    } else {
      expect(merged.errors).toEqual({ reauth_required: SURVIVORS * CALLERS });
      expect(record.status).toBe("needs_reauth");
      expect(server.stats.reuseDetected).toBe(1);
      expect(providerView).toBe("revoked");
    }
    // The lock is free again (released by the survivor that refreshed).
    await until(async () => (await shared.redis.exists(lockKey)) === 0, 2000, "the lock to be released");
    const callers = Object.entries(merged.errors).map(([code, count]) => `${count} ${code}`);
    const ok = Object.values(merged.tokens).reduce((sum, count) => sum + count, 0);
    table.push(
      `| ${variant.point} | ${variant.reuseWindowMs / 1000} s | ${variant.tiers ? "on" : "off"} | ${variant.tokenCalls} | ${[ok ? `${ok} ok (one token)` : "", ...callers].filter(Boolean).join(", ")} | ${takeoverMs} ms | ${record.status} | ${providerView} | ${server.stats.reuseDetected} |`,
    );
  });
});
