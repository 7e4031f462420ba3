// The in-process tiers on the Redis deployment: RedisStore's record tier and RedisCache's L1 in real worker
// processes. A write in one process reaches the tier of another at once (pub/sub); the refresh path, under its lock,
// reads the record from Redis and never from a tier, so it cannot present a refresh token that was rotated out.
import { CredentialCipher } from "@sdk/core/provider-kit";
import type { Clock, OAuthEmulator } from "@sdk/oauth/testing";
import { RedisCache, RedisStore } from "@sdk/storage-redis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { scenarioSdk } from "./acme-kit.mjs";
import { startWorkers, type Worker } from "./worker-pool.mjs";
import { REDIRECT_URI, connect, scenario, sleep, startProvider, workerConfig, type Scenario } from "../test/fixture.js";

const tiers = { maxEntries: 1000, maxTtlMs: 60_000 };

let server: OAuthEmulator<Clock>;
let shared: Scenario;
let worker: Worker;

beforeAll(async () => {
  server = await startProvider({ reuseWindowMs: 0 });
  shared = await scenario({ ...workerConfig(inject("redis").url, server), l1: tiers, recordTier: tiers }, server);
  worker = (await startWorkers(1, shared.config))[0]!;
});

afterAll(async () => {
  await worker?.close();
  await shared?.close();
  await server?.close();
});

const recordKey = (id: string) => `{${shared.config.storePrefix}}:record:${id}`;

describe("record tier and L1 across processes", () => {
  it("a write in this process reaches the worker's record tier at once", async () => {
    const { id } = await shared.install();
    const json = (await shared.redis.get(recordKey(id)))!;
    const revoked = JSON.stringify({ ...JSON.parse(json), status: "revoked" });
    // Until the worker serves the record from memory: a raw SET (no message) of a revoked copy goes unseen there.
    for (let attempt = 0; ; attempt++) {
      expect(attempt).toBeLessThan(100);
      expect((await worker.resolve(id, 1)).errors).toEqual({});
      await shared.redis.set(recordKey(id), revoked);
      const served = await worker.resolve(id, 1);
      await shared.redis.set(recordKey(id), json);
      if (Object.keys(served.errors).length === 0) break;
      await shared.redis.publish(`{${shared.config.storePrefix}}:changed`, id);
      await sleep(20);
    }
    // Now a real write through a RedisStore (another process's view): the worker sees it on its next resolve.
    const current = (await shared.store.get(id))!;
    await shared.store.update(id, { status: "revoked", updated_at: new Date().toISOString() }, { expectedVersion: current.version });
    const started = Date.now();
    for (;;) {
      const result = await worker.resolve(id, 1);
      if (result.errors.integration_revoked === 1) break;
      expect(Date.now() - started, "the worker kept serving the old record").toBeLessThan(1000);
      await sleep(5);
    }
  });

  it("the refresh path reads the refresh token from Redis under its lock, not from the record tier", async () => {
    const redis = await connect(shared.config.redisUrl);
    const cache = new RedisCache(redis, { l1: tiers });
    const store = new RedisStore(redis, { keyPrefix: shared.config.storePrefix, recordTier: tiers });
    const sdk = scenarioSdk(shared.config, { store, cache });
    try {
      const { id, accountId } = await shared.install();
      const json = (await shared.redis.get(recordKey(id)))!;
      const rotatedOut = (await shared.storedRefreshToken(id))!;
      // Wait until this SDK's tier holds the record (a raw SET without a message goes unseen).
      for (let attempt = 0; ; attempt++) {
        expect(attempt).toBeLessThan(100);
        await sdk.resolveConnection(id);
        await shared.redis.set(recordKey(id), JSON.stringify({ ...JSON.parse(json), created_by: "probe" }));
        const seen = await store.get(id, { tier: true });
        await shared.redis.set(recordKey(id), json);
        if (seen?.created_by !== "probe") break;
        await shared.redis.publish(`{${shared.config.storePrefix}}:changed`, id);
        await sleep(20);
      }
      // Behind the tier's back: the grant rotates at the provider and Redis gets the new refresh token, no message.
      const rotated = await refreshDirectly(server, rotatedOut);
      const cipher = new CredentialCipher([{ id: "k1", key: shared.config.encryptionKey }]);
      const record = JSON.parse(json) as { credentials: Record<string, unknown> };
      record.credentials.refresh_token = cipher.encrypt(id, "refresh_token", rotated);
      await shared.redis.set(recordKey(id), JSON.stringify(record));
      expect(server.refreshTokenState(rotatedOut)).toBe("rotated");
      expect((await store.get(id, { tier: true }))?.credentials.refresh_token).toEqual(JSON.parse(json).credentials.refresh_token);
      // The access token expires: the refresh must present `rotated` (Redis), not `rotatedOut` (the tier).
      const refreshesBefore = server.stats.refreshes;
      await new RedisCache(shared.redis).delete(shared.tokenKey(id, accountId));
      // The L1 hears of the delete over pub/sub: wait until this SDK no longer has the old token in memory.
      for (const begun = Date.now(); (await cache.get(shared.tokenKey(id, accountId))) !== undefined; await sleep(5)) expect(Date.now() - begun).toBeLessThan(1000);
      const runtime = await sdk.resolveConnection(id);
      expect(runtime.access_token).toEqual(expect.any(String));
      expect(server.stats.refreshes - refreshesBefore).toBe(1);
      expect(server.stats.reuseDetected).toBe(0);
      expect(server.refreshTokenState((await shared.storedRefreshToken(id))!)).toBe("current");
    } finally {
      await cache.dispose();
      await store.dispose();
      redis.disconnect();
    }
  });
});

/** A refresh at the token endpoint outside the SDK (another system holding the grant); returns the new refresh token. */
async function refreshDirectly(server: OAuthEmulator<Clock>, refreshToken: string): Promise<string> {
  const answer = await fetch(server.tokenUrl, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${server.clientId}:${server.clientSecret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken, redirect_uri: REDIRECT_URI }),
  });
  const body = (await answer.json()) as { refresh_token?: string };
  if (!body.refresh_token) throw new Error(`direct refresh failed: ${answer.status}`);
  return body.refresh_token;
}
