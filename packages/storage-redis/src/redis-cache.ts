// RedisCache: the SDK's CacheStore on a Redis the caller owns. Every command touches one key, so Cluster works;
// writes publish a wake-up on a per-key channel so `waitFor` is woken instead of polling (and so the optional
// in-process L1 of other instances forgets the key). Owns only its subscriber.
import { SdkError, type CacheStore, type StoreHealthCheck } from "@sdk/core";
import { isCluster, type RedisClient } from "./redis-client.js";
import { RedisDeploymentCheck, type EvictionPolicyCheck } from "./redis-deployment-check.js";
import { guardRedis, redisFailure } from "./redis-failure.js";
import { RedisL1Cache, type RedisCacheL1Options } from "./redis-l1-cache.js";
import { readBatch } from "./redis-read-batch.js";
import { RedisScript } from "./redis-script.js";

export interface RedisCacheOptions {
  /**
   * Prepended to every key the SDK gives the cache. Keep it empty to stay compatible with 1.x readers
   * (gateways) that read `integration:{provider}:{id}:app_user:{account}:access_token` as is.
   * @default ""
   */
  keyPrefix?: string;
  /**
   * Prefix of the pub/sub channels that carry wake-ups: a write to key K publishes on `${channelPrefix}${K}`.
   * Channels are not keys: they take no memory and no hash slot.
   * @default "sdk:cache:wake:"
   */
  channelPrefix?: string;
  /**
   * An in-process tier in front of Redis for hot keys (access tokens by default): `get` answers from memory for a
   * key this instance has read, for at most its Redis TTL and `maxTtlMs`. Every write through any RedisCache on the
   * same Redis invalidates it (the wake-up channel); while the subscription is down nothing is served from memory.
   * Locks and nonces are never matched by the default `keys`. Off by default. See the README, "L1".
   */
  l1?: RedisCacheL1Options;
  /**
   * The check of Redis's `maxmemory-policy` before the first command: `"enforce"` refuses an `allkeys-*` policy
   * (`misconfigured`: refresh locks could be evicted mid-refresh), `"warn"` accepts that risk with one stderr warning,
   * `"off"` skips it (verified by hand on a Redis that refuses `CONFIG`). See the README, "Startup checks".
   * @default "enforce"
   */
  evictionPolicyCheck?: EvictionPolicyCheck;
}

// Each write publishes from inside its script, so a waiter can never be woken before the write is visible.
const SET = new RedisScript(`
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], '')
return 1`);

const SET_IF_ABSENT = new RedisScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  redis.call('PUBLISH', ARGV[3], '')
  return 1
end
return 0`);

const DELETE = new RedisScript(`
if redis.call('DEL', KEYS[1]) == 1 then
  redis.call('PUBLISH', ARGV[1], '')
end
return 1`);

// One round trip for the L1: the value and how long Redis keeps it, so memory never outlives Redis.
const GET_WITH_TTL = new RedisScript(`
local value = redis.call('GET', KEYS[1])
if not value then return false end
return {value, redis.call('PTTL', KEYS[1])}`);

// Compare-and-delete: the lock owner releases only its own lock, never the next holder's after a lease expired.
const DELETE_IF_EQUALS = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], '')
  return 1
end
return 0`);

function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) {
    throw new SdkError("validation_failed", `"ttlMs" must be a positive integer number of milliseconds.`, { details: { field: "ttlMs" } });
  }
}

/** Ends one wait: true when woken, false when it timed out or the cache was disposed. */
type Waiter = (woken: boolean) => void;

interface Channel {
  waiters: Set<Waiter>;
  /** Resolves once the subscriber listens on the channel; shared by every waiter that joined meanwhile. */
  subscribed: Promise<unknown>;
}

export class RedisCache implements CacheStore {
  readonly #client: RedisClient;
  readonly #keyPrefix: string;
  readonly #channelPrefix: string;
  readonly #channels = new Map<string, Channel>();
  #subscriber: RedisClient | undefined;
  #disposed = false;
  readonly #l1: RedisL1Cache | undefined;
  #l1Started = false;
  readonly #deployment: RedisDeploymentCheck;

  /** `client` stays the caller's: the cache never closes it. */
  constructor(client: RedisClient, options: RedisCacheOptions = {}) {
    this.#client = client;
    this.#deployment = new RedisDeploymentCheck(client, "cache", options.evictionPolicyCheck);
    this.#keyPrefix = options.keyPrefix ?? "";
    this.#channelPrefix = options.channelPrefix ?? "sdk:cache:wake:";
    if (options.l1) {
      const { maxEntries, maxTtlMs, keys } = options.l1;
      if (!Number.isInteger(maxEntries) || maxEntries <= 0 || !Number.isInteger(maxTtlMs) || maxTtlMs <= 0 || (keys !== undefined && !(keys instanceof RegExp))) {
        throw new SdkError("misconfigured", `RedisCache "l1" needs positive integers "maxEntries" and "maxTtlMs", and "keys" as a RegExp when given.`, { details: { field: "l1" } });
      }
      this.#l1 = new RedisL1Cache(options.l1);
    }
  }

  async get(key: string): Promise<string | undefined> {
    const gate = this.#deployment.gate();
    if (gate) await gate;
    const fullKey = this.#keyPrefix + key;
    const l1 = this.#l1;
    if (!l1 || !l1.covers(key)) {
      const value = await guardRedis("cache_unavailable", "get", () => readBatch(this.#client).get(fullKey, false));
      return value ?? undefined;
    }
    const asked = Date.now();
    const hit = l1.read(fullKey, asked);
    if (hit !== undefined) return hit;
    this.#startL1();
    const fill = l1.begin(fullKey);
    let answer: [string, number] | null = null;
    try {
      answer = (await guardRedis("cache_unavailable", "get", () => GET_WITH_TTL.run(this.#client, [fullKey], []))) as [string, number] | null;
    } finally {
      // The TTL counts from before the request, so the entry never outlives the key in Redis.
      l1.complete(fullKey, fill, answer?.[0] ?? null, Number(answer?.[1] ?? 0), asked);
    }
    return answer?.[0] ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const gate = this.#deployment.gate();
    if (gate) await gate;
    checkTtl(ttlMs);
    const fullKey = this.#keyPrefix + key;
    this.#l1?.invalidate(fullKey);
    await guardRedis("cache_unavailable", "set", () => SET.run(this.#client, [fullKey], [value, ttlMs, this.#channelPrefix + fullKey]));
  }

  async delete(key: string): Promise<void> {
    const gate = this.#deployment.gate();
    if (gate) await gate;
    const fullKey = this.#keyPrefix + key;
    this.#l1?.invalidate(fullKey);
    await guardRedis("cache_unavailable", "delete", () => DELETE.run(this.#client, [fullKey], [this.#channelPrefix + fullKey]));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const gate = this.#deployment.gate();
    if (gate) await gate;
    checkTtl(ttlMs);
    const fullKey = this.#keyPrefix + key;
    this.#l1?.invalidate(fullKey);
    const won = await guardRedis("cache_unavailable", "setIfAbsent", () =>
      SET_IF_ABSENT.run(this.#client, [fullKey], [value, ttlMs, this.#channelPrefix + fullKey]),
    );
    return won === 1;
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    const gate = this.#deployment.gate();
    if (gate) await gate;
    const fullKey = this.#keyPrefix + key;
    this.#l1?.invalidate(fullKey);
    const deleted = await guardRedis("cache_unavailable", "deleteIfEquals", () =>
      DELETE_IF_EQUALS.run(this.#client, [fullKey], [value, this.#channelPrefix + fullKey]),
    );
    return deleted === 1;
  }

  /**
   * Resolves true when the key is written or deleted through any RedisCache on this Redis, false after
   * `timeoutMs` or when `signal` aborts. The key is read when the wait starts and again once the subscription
   * is live, so a write that lands in between still wakes it. That first read is sent before `waitFor` returns:
   * commands sent on the same client afterwards are ordered after it, so "waitFor, then read, then await" never
   * misses a write. Wake-ups may be spurious (another cache with the same channel prefix): re-read the key.
   */
  waitFor(key: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#disposed) return Promise.reject(new SdkError("misconfigured", "This RedisCache was disposed; create a new one."));
    if (signal?.aborted) return Promise.resolve(false);
    // Not gated: its first read must be sent before it returns (see above). A wait always follows a command of the
    // same protocol (setIfAbsent of the lock), which ran the check; a refused deployment is refused here too.
    const refusal = this.#deployment.refusal;
    if (refusal) return Promise.reject(refusal);
    const fullKey = this.#keyPrefix + key;
    const channelName = this.#channelPrefix + fullKey;
    return new Promise<boolean>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", abort);
        this.#leave(channelName, waiter);
        outcome();
      };
      const waiter: Waiter = (woken) => finish(() => resolve(woken));
      const abort = () => waiter(false);
      const timer = setTimeout(abort, Math.max(0, timeoutMs));
      // A pending wait must not keep a process alive that has nothing else to do.
      timer.unref?.();
      signal?.addEventListener("abort", abort, { once: true });
      const channel = this.#join(channelName, waiter);

      void (async () => {
        const before = await this.#client.get(fullKey);
        await channel.subscribed;
        const after = await this.#client.get(fullKey);
        if (before !== after) waiter(true);
      })().catch((error: unknown) => finish(() => reject(redisFailure("cache_unavailable", "waitFor", error))));
    });
  }

  /**
   * For `sdk.checkHealth()`: PING, then a fresh reading of the settings the first use checks (eviction policy, Cluster
   * mode). Names settings and nodes only, never a key or a value.
   */
  async checkHealth(): Promise<StoreHealthCheck[]> {
    return this.#deployment.inspect();
  }

  /** Closes the subscriber connection this cache opened for `waitFor` and ends pending waits (false). Never closes the caller's client. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#l1?.suspend();
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    const pending = [...this.#channels.values()].flatMap((channel) => [...channel.waiters]);
    this.#channels.clear();
    // Ending a wait on dispose reports "not woken" so callers fall back to re-reading the key.
    for (const waiter of pending) waiter(false);
    subscriber?.disconnect();
  }

  #join(channelName: string, waiter: Waiter): Channel {
    const existing = this.#channels.get(channelName);
    if (existing) {
      existing.waiters.add(waiter);
      return existing;
    }
    const channel: Channel = { waiters: new Set([waiter]), subscribed: this.#ensureSubscriber().subscribe(channelName) };
    this.#channels.set(channelName, channel);
    // Each waiter's own chain reports a failed subscribe; here it only makes the next waiter subscribe afresh.
    channel.subscribed.catch(() => {
      if (this.#channels.get(channelName) === channel) this.#channels.delete(channelName);
    });
    return channel;
  }

  #leave(channelName: string, waiter: Waiter): void {
    const channel = this.#channels.get(channelName);
    if (!channel || !channel.waiters.delete(waiter) || channel.waiters.size > 0) return;
    this.#channels.delete(channelName);
    // Commands on one connection run in order, so a later subscribe to the same channel still takes effect.
    this.#subscriber?.unsubscribe(channelName).catch(() => undefined);
  }

  /**
   * Subscribes the L1 to every wake-up channel (one PSUBSCRIBE per instance): each write through any RedisCache on
   * this Redis publishes there, so the key is forgotten here. Serving from memory starts once the subscription is
   * confirmed and stops whenever the subscriber connection drops, until it is confirmed again.
   */
  #startL1(): void {
    const l1 = this.#l1;
    if (!l1 || this.#l1Started || this.#disposed) return;
    this.#l1Started = true;
    const subscriber = this.#ensureSubscriber();
    const pattern = `${this.#channelPrefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
    const subscribe = () => {
      if (this.#disposed) return;
      subscriber.psubscribe(pattern).then(
        () => (this.#disposed ? undefined : l1.resume()),
        () => l1.suspend(),
      );
    };
    subscriber.on("pmessage", (_pattern: string, channelName: string) => {
      if (channelName.startsWith(this.#channelPrefix)) l1.invalidate(channelName.slice(this.#channelPrefix.length));
    });
    subscriber.on("close", () => l1.suspend());
    // After a reconnection: confirm the pattern again before serving from memory (messages were missed meanwhile).
    subscriber.on("ready", subscribe);
    subscribe();
  }

  #ensureSubscriber(): RedisClient {
    if (this.#subscriber) return this.#subscriber;
    // The subscriber queues its SUBSCRIBE until it is connected (the caller's client may disable the offline
    // queue); waits stay bounded by their own timeout.
    const client = this.#client;
    // No ready check: ioredis sends its INFO after a SUBSCRIBE that a lazily connecting client already flushed, and a
    // subscribed connection refuses INFO, failing every wait of that moment ("Can't execute 'info'", seen with 4
    // workers sweeping refreshDue at once).
    const subscriber = isCluster(client) ? client.duplicate(undefined, { enableOfflineQueue: true }) : client.duplicate({ enableOfflineQueue: true, enableReadyCheck: false });
    // Connection errors surface through the waits; without a listener ioredis would print them.
    subscriber.on("error", () => undefined);
    subscriber.on("message", (channelName: string) => {
      const channel = this.#channels.get(channelName);
      if (channel) for (const waiter of [...channel.waiters]) waiter(true);
    });
    this.#subscriber = subscriber;
    return subscriber;
  }
}
