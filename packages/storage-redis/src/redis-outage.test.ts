// A Redis restart in the middle of a run: calls fail fast with the retryable *_unavailable codes while it is down,
// everything recovers after, and a lock taken before the outage still expires (its TTL survives the restart).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SdkError } from "@sdk/core";
import type { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort, startRedisServer, type RedisServerHandle } from "@sdk-tooling/redis-harness";
import { connectStandalone, integrationRecord, sleep, uniqueName } from "../test/redis-harness.js";
import { RedisCache } from "./redis-cache.js";
import { RedisStore } from "./redis-store.js";

const { bin } = inject("redis");
const skipReason = bin ? undefined : "needs the redis-server binary to stop and restart a private Redis";

async function expectUnavailable(call: Promise<unknown>, code: "cache_unavailable" | "store_unavailable", planted: string[]): Promise<void> {
  const started = Date.now();
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(SdkError.is(error, code)).toBe(true);
  expect((error as SdkError).retryable).toBe(true);
  // Fails fast (no offline queue), well before any command timeout.
  expect(Date.now() - started).toBeLessThan(1_000);
  const surfaced = JSON.stringify({ ...(error as SdkError).toJSON(), cause: String((error as Error).cause), stack: (error as Error).stack });
  for (const secret of planted) expect(surfaced).not.toContain(secret);
}

describe.skipIf(skipReason !== undefined)(`RedisCache and RedisStore across a Redis restart${skipReason ? ` (skipped: ${skipReason})` : ""}`, () => {
  let dir: string | undefined;
  let server: RedisServerHandle | undefined;
  let client: Redis | undefined;

  // AOF in a directory of our own, so the data (and the lock's expiry time) outlives the restart.
  const start = async (port: number) => {
    dir ??= mkdtempSync(join(tmpdir(), "sdk-redis-restart-"));
    return startRedisServer({ bin, port, args: ["--dir", dir, "--appendonly", "yes", "--appendfsync", "always"] });
  };

  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers cache_unavailable / store_unavailable while Redis is down and recovers after; the lock still expires", { timeout: 60_000 }, async () => {
    server = await start(await freePort());
    client = await connectStandalone(server.url);
    client.on("error", () => undefined);
    const cache = new RedisCache(client);
    const store = new RedisStore(client);

    const tokenKey = uniqueName("integration:jira:int-1:app_user:acct-1:access_token");
    const lockKey = uniqueName("integration:jira:int-1:app_user:acct-1:refresh_lock");
    const token = "planted-access-token-5f1e";
    const integration = integrationRecord({ credentials: { refresh_token: "planted-refresh-token-9c2a" }, natural_key: null });
    await cache.set(tokenKey, token, 60_000);
    const leaseMs = 6_000;
    expect(await cache.setIfAbsent(lockKey, "owner-a", leaseMs)).toBe(true);
    const lockTakenAt = Date.now();
    await store.create(integration);
    // A subscriber that exists before the outage must come back with the connection.
    expect(await cache.waitFor(uniqueName("warm-up"), 50)).toBe(false);

    const port = server.port;
    await server.stop();
    server = undefined;
    for (let waited = 0; client.status === "ready" && waited < 5_000; waited += 20) await sleep(20);
    expect(client.status).not.toBe("ready");

    const planted = [token, tokenKey, lockKey, "owner-a", "planted-refresh-token-9c2a"];
    await expectUnavailable(cache.get(tokenKey), "cache_unavailable", planted);
    await expectUnavailable(cache.set(tokenKey, token, 60_000), "cache_unavailable", planted);
    await expectUnavailable(cache.setIfAbsent(lockKey, "owner-b", leaseMs), "cache_unavailable", planted);
    await expectUnavailable(cache.deleteIfEquals(lockKey, "owner-a"), "cache_unavailable", planted);
    await expectUnavailable(cache.waitFor(tokenKey, 5_000), "cache_unavailable", planted);
    await expectUnavailable(store.get(integration.id), "store_unavailable", planted);
    await expectUnavailable(store.update(integration.id, { status: "revoked", updated_at: "2026-01-02T00:00:00.000Z" }, { expectedVersion: 1 }), "store_unavailable", planted);
    await expectUnavailable(store.list({ account_id: "acct-1" }), "store_unavailable", planted);

    server = await start(port);
    const recovered = Date.now();
    let value: string | undefined;
    for (;;) {
      try {
        value = await cache.get(tokenKey);
        break;
      } catch (error) {
        expect(SdkError.is(error, "cache_unavailable")).toBe(true);
        if (Date.now() - recovered > 15_000) throw error;
        await sleep(50);
      }
    }
    expect(value).toBe(token);
    expect((await store.get(integration.id))!.credentials).toEqual(integration.credentials);

    // The lock survived with its expiry; nobody else gets it until the lease ends, then the next caller does.
    const remaining = await client.pttl(lockKey);
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(leaseMs);
    expect(await cache.setIfAbsent(lockKey, "owner-b", leaseMs)).toBe(false);
    await sleep(Math.max(0, lockTakenAt + leaseMs + 100 - Date.now()));
    expect(await cache.setIfAbsent(lockKey, "owner-b", leaseMs)).toBe(true);

    // Wake-ups work again over the reconnected subscriber.
    const woken = cache.waitFor(tokenKey, 5_000);
    await sleep(100);
    await cache.set(tokenKey, "next-token", 60_000);
    expect(await woken).toBe(true);
    await cache.dispose();
  });
});
