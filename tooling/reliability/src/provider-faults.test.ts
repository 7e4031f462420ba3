// Provider faults through the fake server's fault injection, one process (multi-process adds nothing here), against
// the Redis-backed SDK. For each fault: token-endpoint calls, the errors callers got, and the stored state afterwards,
// checked against the provider's own view of the stored refresh token. Prints the table at the end.
import { SdkError } from "@sdk/core";
import type { Clock, OAuthEmulator } from "@sdk/oauth/testing";
import { describe, expect, inject, it } from "vitest";
import { scenario, scenarioTable, sleep, startProvider, until, withTiers, workerConfig, type Scenario } from "../test/fixture.js";

const CALLERS = 50;

interface FaultCase {
  name: string;
  reuseWindowMs: number;
  inject(server: OAuthEmulator<Clock>, user: string): void;
  /** What the first wave of callers gets: every caller the new token, or every caller this error code. */
  firstWave: "ok" | SdkError["code"];
  /** Token-endpoint calls for the first wave. */
  firstWaveCalls: number;
  /** After the fault is gone (and the 2 s failure memory has passed): the next resolve. */
  after: "ok" | SdkError["code"];
  status: "active" | "needs_reauth";
  /** The provider's view of the stored refresh token at the end. */
  stored: "current" | "revoked";
}

const cases: FaultCase[] = [
  { name: "5xx burst (5 x 503)", reuseWindowMs: 0, inject: (s) => s.fault("token", { kind: "status", status: 503 }, 5), firstWave: "provider_unavailable", firstWaveCalls: 3, after: "ok", status: "active", stored: "current" },
  { name: "connection reset once, reuse window 60 s", reuseWindowMs: 60_000, inject: (s) => s.fault("token", { kind: "disconnect" }, 1), firstWave: "ok", firstWaveCalls: 2, after: "ok", status: "active", stored: "current" },
  // Without a reuse window a refresh is never re-sent after a network error: the provider may have rotated already.
  { name: "connection reset once, no reuse window", reuseWindowMs: 0, inject: (s) => s.fault("token", { kind: "disconnect" }, 1), firstWave: "provider_unavailable", firstWaveCalls: 1, after: "ok", status: "active", stored: "current" },
  { name: "429 Retry-After: 1 (twice)", reuseWindowMs: 0, inject: (s) => s.fault("token", { kind: "rate_limit", retryAfterSeconds: 1 }, 2), firstWave: "ok", firstWaveCalls: 3, after: "ok", status: "active", stored: "current" },
  { name: "429 Retry-After: 120 (past maxDelayMs)", reuseWindowMs: 0, inject: (s) => s.fault("token", { kind: "rate_limit", retryAfterSeconds: 120 }, 1), firstWave: "provider_rate_limited", firstWaveCalls: 1, after: "ok", status: "active", stored: "current" },
  { name: "malformed body (HTTP 200, not JSON)", reuseWindowMs: 0, inject: (s) => s.fault("token", { kind: "malformed" }, 1), firstWave: "provider_response_invalid", firstWaveCalls: 1, after: "ok", status: "active", stored: "current" },
  { name: "answer missing access_token", reuseWindowMs: 0, inject: (s) => s.fault("token", { kind: "status", status: 200, body: { token_type: "Bearer" } }, 1), firstWave: "provider_response_invalid", firstWaveCalls: 1, after: "ok", status: "active", stored: "current" },
  { name: "slow past the deadline once, reuse window 60 s", reuseWindowMs: 60_000, inject: (s) => s.fault("token", { kind: "delay", ms: 900 }, 1), firstWave: "ok", firstWaveCalls: 2, after: "ok", status: "active", stored: "current" },
  // The server still processes the request the SDK abandoned and rotates: the same window as a crash after the answer.
  { name: "slow past the deadline once, no reuse window", reuseWindowMs: 0, inject: (s) => s.fault("token", { kind: "delay", ms: 900 }, 1), firstWave: "provider_unavailable", firstWaveCalls: 1, after: "reauth_required", status: "needs_reauth", stored: "revoked" },
  { name: "grant revoked by the user (invalid_grant)", reuseWindowMs: 0, inject: (s, user) => s.revokeUser(user), firstWave: "reauth_required", firstWaveCalls: 1, after: "reauth_required", status: "needs_reauth", stored: "revoked" },
];

const { rows: table, cleanup: atEnd } = scenarioTable(
  () => `provider faults (${CALLERS} concurrent callers on one expired token; timeoutMs 500, 3 attempts; one process on RedisCache + RedisStore):`,
  ["fault", "token calls (first wave)", "first wave got", "then", "token calls in total", "status", "stored refresh token at provider", "record version"],
);

async function wave(shared: Scenario, id: string, count: number): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  const results = await Promise.allSettled(Array.from({ length: count }, () => shared.sdk.resolveConnection(id)));
  for (const result of results) {
    const key = result.status === "fulfilled" ? "ok" : SdkError.is(result.reason) ? result.reason.code : `crash:${String(result.reason)}`;
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return outcomes;
}

describe("provider faults: calls made, errors returned, final stored state", () => {
  it.each(cases)("$name", async (fault) => {
    const server = await startProvider({ reuseWindowMs: fault.reuseWindowMs });
    atEnd(() => server.close());
    const config = workerConfig(inject("redis").url, server, { timeoutMs: 500, retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 2000 }, refreshReuseWindow: fault.reuseWindowMs > 0 });
    // Every other fault with the in-process tiers on (RedisCache L1 + RedisStore record tier): same calls, same outcome.
    const shared = await scenario(cases.indexOf(fault) % 2 === 1 ? withTiers(config) : config, server);
    atEnd(() => shared.close());
    const user = `user-${Math.random().toString(36).slice(2, 8)}`;
    const { id, accountId } = await shared.install(user);
    const before = await shared.storedRefreshToken(id);
    await shared.redis.del(shared.tokenKey(id, accountId));
    const callsBefore = server.counters.token ?? 0;

    fault.inject(server, user);
    const first = await wave(shared, id, CALLERS);
    const firstCalls = (server.counters.token ?? 0) - callsBefore;
    expect(first).toEqual({ [fault.firstWave]: CALLERS });
    expect(firstCalls).toBe(fault.firstWaveCalls);
    if (fault.firstWave !== "ok" && fault.firstWave !== "reauth_required") {
      // A retryable failure leaves the record as it was: same refresh token, still active.
      expect(await shared.storedRefreshToken(id)).toBe(before);
      expect((await shared.rawRecord(id))!.status).toBe("active");
    }
    // Let a delayed request land at the provider, and the 2 s failure memory run out.
    await sleep(1000);
    const failureKey = shared.failureKey(id);
    await until(async () => (await shared.redis.exists(failureKey)) === 0, 5000, "the failure memory to expire");
    server.clearFaults();
    await shared.redis.del(shared.tokenKey(id, accountId));
    const second = await wave(shared, id, 1);
    expect(second).toEqual({ [fault.after]: 1 });

    const record = (await shared.rawRecord(id))!;
    const stored = (await shared.storedRefreshToken(id))!;
    expect(record.status).toBe(fault.status);
    expect(server.refreshTokenState(stored)).toBe(fault.stored);
    table.push(
      `| ${fault.name} | ${firstCalls} | ${Object.entries(first).map(([code, count]) => `${count} ${code}`).join(", ")} | ${fault.after} | ${(server.counters.token ?? 0) - callsBefore} | ${record.status} | ${server.refreshTokenState(stored)} | v${record.version} |`,
    );
  });
});
