// Plain GETs of RedisStore and RedisCache on one client, gathered while the process is busy and sent as one MGET
// once it yields (setImmediate): many concurrent resolves cost one command and one socket write instead of one
// each, and a resolve that reads its record and its token at once makes one round trip. Writes never wait here.
import type { RedisClient } from "./redis-client.js";

interface Pending {
  key: string;
  resolve: (value: string | null) => void;
  reject: (error: unknown) => void;
}

/** Keys per MGET: a huge burst is split so one reply never holds the event loop for long. */
const MAX_BATCH = 512;

export class RedisReadBatch {
  readonly #client: RedisClient;
  #queue: Pending[] = [];
  #scheduled = false;

  constructor(client: RedisClient) {
    this.#client = client;
  }

  /**
   * The value of `key`, read in the next batch. `sameSlot` keys (RedisStore's, all under one hash tag) are batched
   * on a Cluster too; other keys are batched only on a standalone or Sentinel client, where MGET spans any keys.
   */
  get(key: string, sameSlot: boolean): Promise<string | null> {
    if (this.#client.isCluster && !sameSlot) return this.#client.get(key);
    return new Promise((resolve, reject) => {
      this.#queue.push({ key, resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    for (let start = 0; start < queue.length; start += MAX_BATCH) {
      const part = queue.slice(start, start + MAX_BATCH);
      // On a Cluster only same-slot keys are queued, but keys of two stores (two hash tags) may meet: one GET each.
      const slotSafe = !this.#client.isCluster || part.every((entry) => entry.key.slice(0, entry.key.indexOf("}")) === part[0]!.key.slice(0, part[0]!.key.indexOf("}")));
      if (part.length === 1 || !slotSafe) {
        for (const entry of part) this.#client.get(entry.key).then(entry.resolve, entry.reject);
        continue;
      }
      this.#client.mget(part.map((entry) => entry.key)).then(
        (values) => part.forEach((entry, index) => entry.resolve(values[index] ?? null)),
        (error: unknown) => part.forEach((entry) => entry.reject(error)),
      );
    }
  }
}

const batches = new WeakMap<RedisClient, RedisReadBatch>();

/** The one batch of a client, shared by every store and cache built on it (so their reads travel together). */
export function readBatch(client: RedisClient): RedisReadBatch {
  let batch = batches.get(client);
  if (!batch) {
    batch = new RedisReadBatch(client);
    batches.set(client, batch);
  }
  return batch;
}
