// Picks the stores of the demo: the embedded MemoryStore + MemoryCache by default; RedisCache when REDIS_URL is set
// and MongoStore when MONGODB_URL is set, so the same walk-through runs against the real engines.
import { MemoryCache, MemoryStore, type CacheStore, type PersistentStore } from "@sdk/core";

export interface DemoStores {
  store: PersistentStore;
  cache: CacheStore;
  label: string;
  close(): Promise<void>;
}

export async function openDemoStores(env: NodeJS.ProcessEnv, now: () => number): Promise<DemoStores> {
  const closers: Array<() => Promise<unknown>> = [];
  const labels: string[] = [];
  let cache: CacheStore = new MemoryCache({ now });
  let store: PersistentStore = new MemoryStore();
  if (env.REDIS_URL) {
    const [{ default: Redis }, { RedisCache, failFastRedisOptions }] = await Promise.all([import("ioredis"), import("@sdk/storage-redis")]);
    const client = new Redis(env.REDIS_URL, failFastRedisOptions);
    const redisCache = new RedisCache(client, { keyPrefix: `demo-${process.pid}:` });
    cache = redisCache;
    closers.push(async () => {
      await redisCache.dispose();
      client.disconnect();
    });
    labels.push("RedisCache (REDIS_URL)");
  } else {
    labels.push("MemoryCache");
  }
  if (env.MONGODB_URL) {
    const [{ MongoClient }, { MongoStore }] = await Promise.all([import("mongodb"), import("@sdk/storage-mongo")]);
    const client = await MongoClient.connect(env.MONGODB_URL);
    store = new MongoStore(client.db().collection(`quickstart_${process.pid}`));
    closers.push(() => client.close());
    labels.push("MongoStore (MONGODB_URL)");
  } else {
    labels.push("MemoryStore");
  }
  return { store, cache, label: labels.join(" + "), close: async () => void (await Promise.all(closers.map((close) => close()))) };
}
