// The test-process side of every reliability scenario: the fake OAuth server on a wall clock (worker processes
// cannot share a ManualClock), the config the workers get, an SDK on the same Redis for installs, and raw readers
// that look at Redis and the provider directly, never through the SDK under test.
import { randomBytes, randomUUID } from "node:crypto";
import { type SDK } from "@sdk/core";
import { CredentialCipher, internalKey } from "@sdk/core/provider-kit";
import { installOAuth, readCachedToken, type Clock, type OAuthEmulator, type OAuthEmulatorOptions } from "@sdk/oauth/testing";
import { RedisCache, RedisStore, failFastRedisOptions } from "@sdk/storage-redis";
import { Redis } from "ioredis";
import { afterAll, afterEach } from "vitest";
import { acmeProvider, scenarioSdk, startAcmeEmulator } from "../src/acme-kit.mjs";
import type { WorkerConfig } from "../src/worker-pool.mjs";

export { REDIRECT_URI } from "../src/acme-kit.mjs";
const STATE_SECRET = "reliability-state-secret-0123456789abcdef";
const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

export async function startProvider(options: Partial<OAuthEmulatorOptions> = {}): Promise<OAuthEmulator<Clock>> {
  return startAcmeEmulator(options);
}

export async function connect(url: string): Promise<Redis> {
  const client = new Redis(url, { ...failFastRedisOptions, lazyConnect: true });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

export interface ProviderTuning {
  lockLeaseMs?: number;
  timeoutMs?: number;
  retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  refreshReuseWindow?: boolean;
  skewSeconds?: number;
  refreshAheadSeconds?: number;
}

/** One scenario's shared settings: every process (workers and the test's own SDK) uses exactly these. */
export function workerConfig(redisUrl: string, server: OAuthEmulator<Clock>, tuning: ProviderTuning = {}): WorkerConfig {
  const run = randomBytes(4).toString("hex");
  return {
    redisUrl,
    storePrefix: `rel-${run}`,
    sdkKeyPrefix: `rel-${run}`,
    stateSecret: STATE_SECRET,
    encryptionKey: ENCRYPTION_KEY,
    provider: acmeProvider(server, { timeoutMs: 2000, retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 500 }, lockLeaseMs: 6000, ...tuning }),
  };
}

export interface Scenario {
  config: WorkerConfig;
  redis: Redis;
  cache: RedisCache;
  store: RedisStore;
  sdk: SDK;
  /** Installs through the provider's consent page and stores the connection; returns its id and account. */
  install(user?: string): Promise<{ id: string; accountId: string }>;
  /** The 1.x access-token key of an integration. */
  tokenKey(id: string, accountId: string): string;
  /** The key remembering a failed refresh of an integration's primary chain for 2 s. */
  failureKey(id: string): string;
  /** The access token cached under `key` (GET from Redis, opened with the scenario's key: the raw value is an envelope). */
  cachedAccessToken(key: string): Promise<string | undefined>;
  /** The refresh token as stored in Redis, decrypted here (the raw record is read with GET, not through the SDK). */
  storedRefreshToken(id: string): Promise<string | undefined>;
  /** The stored record as JSON (GET of the RedisStore key). */
  rawRecord(id: string): Promise<{ version: number; status: string } | undefined>;
  close(): Promise<void>;
}

/** The in-process tiers as a deployment turns them on: RedisCache `l1` and RedisStore `recordTier`. */
export const TIERS = { maxEntries: 1000, maxTtlMs: 60_000 };

/** The same setup with both in-process tiers on, in the workers and in the scenario's own SDK. */
export function withTiers(config: WorkerConfig): WorkerConfig {
  return { ...config, l1: TIERS, recordTier: TIERS };
}

export async function scenario(config: WorkerConfig, server: OAuthEmulator<Clock>, options: { redisUrl?: string } = {}): Promise<Scenario> {
  const redis = await connect(options.redisUrl ?? config.redisUrl);
  const cache = new RedisCache(redis, config.l1 ? { l1: config.l1 } : {});
  const store = new RedisStore(redis, { keyPrefix: config.storePrefix, ...(config.recordTier ? { recordTier: config.recordTier } : {}) });
  const sdk = scenarioSdk(config, { store, cache });
  const cipher = new CredentialCipher([{ id: "k1", key: config.encryptionKey }]);
  const rawRecord = async (id: string) => {
    const json = await redis.get(`{${config.storePrefix}}:record:${id}`);
    return json === null ? undefined : (JSON.parse(json) as { id: string; provider: string; account_id: string; metadata: Record<string, unknown>; version: number; status: string; credentials: Record<string, unknown> });
  };
  return {
    config,
    redis,
    cache,
    store,
    sdk,
    async install(user = `user-${randomUUID().slice(0, 8)}`) {
      const accountId = `acct-${randomUUID().slice(0, 8)}`;
      return { id: (await installOAuth(sdk, server, { user_id: user, account_id: accountId })).id, accountId };
    },
    tokenKey: (id, accountId) => `integration:acme:${id}:app_user:${accountId}:access_token`,
    failureKey: (id) => internalKey(config.sdkKeyPrefix, "refresh_failed", `${id}:`),
    async cachedAccessToken(key) {
      const raw = { get: async (name: string) => (await redis.get(name)) ?? undefined };
      return (await readCachedToken(raw, key, [{ id: "k1", key: config.encryptionKey }]))?.access_token;
    },
    async storedRefreshToken(id) {
      const record = await rawRecord(id);
      const envelope = record?.credentials.refresh_token;
      return envelope === undefined ? undefined : (cipher.decrypt(record!, "refresh_token", envelope) as string);
    },
    rawRecord,
    async close() {
      await cache.dispose();
      await store.dispose();
      redis.disconnect();
    },
  };
}

/** p-th percentile (0-100) of a list of numbers, nearest rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until `check` holds, polling; throws after `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * For scenario tables: steps registered with the returned function run after each test (last first), and the rows
 * pushed to `rows` are printed as one markdown table after the file.
 */
export function scenarioTable(title: () => string, header: string[]): { rows: string[]; cleanup: (step: () => Promise<void>) => void } {
  const rows: string[] = [];
  let steps: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of steps.reverse()) await step();
    steps = [];
  });
  afterAll(() => {
    console.log([title(), `| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows].join("\n"));
  });
  return { rows, cleanup: (step) => void steps.push(step) };
}
