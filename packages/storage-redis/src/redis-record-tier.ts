// The optional in-process tier of RedisStore: records the process has read (parsed once, copied per read), served to the resolve hot path only
// (reads that ask for `{ tier: true }`), for at most `maxTtlMs`. Every RedisStore write publishes the record id from
// inside its write script; this tier listens on that channel and forgets the id. While the subscription is not
// confirmed nothing is served from memory. It reuses the L1's bounded LRU and its in-flight bookkeeping.
import type { Integration } from "@sdk/core";
import { isCluster, type RedisClient } from "./redis-client.js";
import { RedisL1Cache, type L1Fill } from "./redis-l1-cache.js";
import { copyRecord, keepRecord } from "./record-copies.js";

export interface RedisStoreTierOptions {
  /** Most records kept in memory; the least recently used is dropped first. */
  maxEntries: number;
  /** Longest time a record is served from memory (an invalidation normally ends it much sooner). */
  maxTtlMs: number;
}

export class RedisRecordTier {
  readonly #client: RedisClient;
  readonly #channel: string;
  readonly #memory: RedisL1Cache<Integration>;
  readonly #maxTtlMs: number;
  #subscriber: RedisClient | undefined;
  #disposed = false;

  constructor(client: RedisClient, channel: string, options: RedisStoreTierOptions) {
    this.#client = client;
    this.#channel = channel;
    this.#maxTtlMs = options.maxTtlMs;
    this.#memory = new RedisL1Cache<Integration>({ ...options, keys: /^/ });
  }

  /** A copy of the record in memory, or undefined; the first call starts the invalidation subscription. */
  read(id: string, nowMs: number): Integration | undefined {
    if (!this.#subscriber) this.#start();
    const record = this.#memory.read(id, nowMs);
    return record === undefined ? undefined : copyRecord(record);
  }

  begin(id: string): L1Fill {
    return this.#memory.begin(id);
  }

  /** Keeps what Redis answered unless the record changed (or the subscription dropped) while the read was in flight. */
  complete(id: string, fill: L1Fill, record: Integration | null, askedAt: number): void {
    this.#memory.complete(id, fill, record === null ? null : keepRecord(record), this.#maxTtlMs, askedAt);
  }

  invalidate(id: string): void {
    this.#memory.invalidate(id);
  }

  get size(): number {
    return this.#memory.size;
  }

  dispose(): void {
    this.#disposed = true;
    this.#memory.suspend();
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
  }

  #start(): void {
    if (this.#disposed) return;
    const client = this.#client;
    const subscriber = isCluster(client) ? client.duplicate(undefined, { enableOfflineQueue: true }) : client.duplicate({ enableOfflineQueue: true });
    this.#subscriber = subscriber;
    const memory = this.#memory;
    // Connection errors only suspend the tier; without a listener ioredis would print them.
    subscriber.on("error", () => undefined);
    subscriber.on("message", (channel: string, id: string) => {
      if (channel === this.#channel) memory.invalidate(id);
    });
    subscriber.on("close", () => memory.suspend());
    const subscribe = () => {
      if (this.#disposed) return;
      // Messages published while the connection was down are lost: serve from memory only once subscribed again.
      subscriber.subscribe(this.#channel).then(
        () => (this.#disposed ? undefined : memory.resume()),
        () => memory.suspend(),
      );
    };
    subscriber.on("ready", subscribe);
    subscribe();
  }
}
