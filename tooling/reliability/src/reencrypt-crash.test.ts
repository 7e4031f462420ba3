// Key rotation across processes, with a crash: one worker re-encrypting the fleet is SIGKILLed in the middle of a
// page; two others resume from the cursor it last reported, at the same time. Every record ends under the new key,
// re-encrypted exactly once (its version moved by one), no refresh token lost; then the old key is removed and every
// record still resolves.
import { randomBytes } from "node:crypto";
import type { Clock, OAuthEmulator } from "@sdk/oauth/testing";
import { RedisStore } from "@sdk/storage-redis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { scenarioSdk } from "./acme-kit.mjs";
import { startWorkers, Worker } from "./worker-pool.mjs";
import { scenario, startProvider, workerConfig, type Scenario } from "../test/fixture.js";

const FLEET = 60;
const PAGE = 10;
/** The victim dies right after its 15th write: 5 records into its second page. */
const WRITES_BEFORE_KILL = 15;
const NEW_KEY = { id: "k2", key: randomBytes(32).toString("base64") };

let server: OAuthEmulator<Clock>;
let shared: Scenario;
let ids: string[] = [];
const workers: Worker[] = [];
const before = new Map<string, { version: number; refreshToken: string | undefined }>();

/** The key id of every credential envelope of a record, read from Redis directly. */
async function keyIdsOf(id: string): Promise<string[]> {
  const record = await shared.rawRecord(id);
  return Object.values((record as unknown as { credentials: Record<string, { kid?: string }> }).credentials).map((envelope) => String(envelope.kid));
}

beforeAll(async () => {
  server = await startProvider();
  shared = await scenario(workerConfig(inject("redis").url, server), server);
  for (let index = 0; index < FLEET; index++) ids.push((await shared.install()).id);
  ids = ids.sort();
  for (const id of ids) before.set(id, { version: (await shared.rawRecord(id))!.version, refreshToken: await shared.storedRefreshToken(id) });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  await shared?.close();
  await server?.close();
});

describe(`reencryptConnections across processes, one SIGKILLed mid-page (${FLEET} records, pages of ${PAGE})`, () => {
  it("resumes from the last cursor in two processes at once: each record re-encrypted once, nothing lost", async () => {
    const rotated = { ...shared.config, encryptionKeys: [NEW_KEY, { id: "k1", key: shared.config.encryptionKey }], storeFaults: true };
    const [victim] = await startWorkers(1, rotated);
    workers.push(victim!);
    await victim!.armWrites(WRITES_BEFORE_KILL);
    const outcome = await victim!.reencrypt({ limit: PAGE }).then(
      () => "finished",
      () => "died",
    );
    expect(outcome).toBe("died");
    expect(await victim!.exited).toBe("SIGKILL");
    expect(victim!.diedAt).toBe("after-store-writes");
    // It reported page 1 (records 1-10) and died inside page 2 after re-encrypting records 11-15.
    expect(victim!.progress.map((page) => page.done)).toEqual([PAGE]);
    const cursor = victim!.progress.at(-1)!.cursor!;
    expect(cursor).toEqual(expect.any(String));
    const underNewKey = await Promise.all(ids.map(async (id) => (await keyIdsOf(id)).every((kid) => kid === "k2")));
    expect(underNewKey.filter(Boolean)).toHaveLength(WRITES_BEFORE_KILL);
    expect(underNewKey.slice(0, WRITES_BEFORE_KILL).every(Boolean)).toBe(true);

    const resumers = await startWorkers(2, rotated);
    workers.push(...resumers);
    const results = await Promise.all(resumers.map((worker) => worker.reencrypt({ limit: PAGE, cursor })));
    for (const result of results) {
      expect(result.cursor).toBeNull();
      expect(result.failed).toBe(0);
      // Resumed after the first page, not from the start: the 50 records after the cursor, each examined once here.
      expect(result.total).toBe(FLEET - PAGE);
    }
    // Between them the two re-encrypted exactly what the victim had not: nothing twice, nothing left.
    expect(results[0]!.done + results[1]!.done).toBe(FLEET - WRITES_BEFORE_KILL);
    console.log(
      `reencryptConnections: victim SIGKILLed after ${WRITES_BEFORE_KILL} writes (page 2 of ${FLEET / PAGE}); two resumers from its cursor re-encrypted ${results.map((result) => result.done).join(" + ")}, skipped ${results.map((result) => result.skipped).join(" + ")}`,
    );

    for (const id of ids) {
      expect(await keyIdsOf(id)).toEqual(expect.arrayContaining(["k2"]));
      expect((await keyIdsOf(id)).every((kid) => kid === "k2")).toBe(true);
      // Written exactly once since the install, and the refresh token inside is the one the provider considers current.
      expect((await shared.rawRecord(id))!.version).toBe(before.get(id)!.version + 1);
      const refreshToken = await storedRefreshTokenUnder(id);
      expect(refreshToken).toBe(before.get(id)!.refreshToken);
      expect(server.refreshTokenState(refreshToken!)).toBe("current");
    }

    // A sweep from the start finds nothing left to do.
    const again = await resumers[0]!.reencrypt({ limit: PAGE });
    expect(again).toMatchObject({ done: 0, skipped: FLEET, failed: 0, total: FLEET, cursor: null });
  });

  it("after the old key is removed, every record resolves", async () => {
    const store = new RedisStore(shared.redis, { keyPrefix: shared.config.storePrefix });
    const sdk = scenarioSdk({ ...shared.config, encryptionKeys: [NEW_KEY] }, { store, cache: shared.cache });
    const resolved = await Promise.all(ids.map((id) => sdk.resolveConnection(id)));
    expect(resolved.map((runtime) => runtime.integration_id).sort()).toEqual(ids);
    for (const runtime of resolved) expect(runtime.access_token).toMatch(/\S/);
    expect(server.stats.reuseDetected).toBe(0);
    await sdk.close();
  });
});

/** The stored refresh token decrypted with the new key ring (the fixture's reader knows only the old key). */
async function storedRefreshTokenUnder(id: string): Promise<string | undefined> {
  const { CredentialCipher } = await import("@sdk/core/provider-kit");
  const record = (await shared.rawRecord(id)) as unknown as { id: string; provider: string; account_id: string; metadata: Record<string, unknown>; credentials: Record<string, unknown> };
  const cipher = new CredentialCipher([NEW_KEY]);
  return cipher.decrypt(record, "refresh_token", record.credentials.refresh_token) as string;
}
