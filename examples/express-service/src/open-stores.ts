// The SDK's stores: RedisCache when REDIS_URL is set, MongoStore when MONGODB_URL is set, and the embedded default
// (MemoryCache, MemoryStore) for whichever is not. The clients are this service's: the stores never close them,
// `close()` here does. Redis and MongoDB are connected at start-up, so a wrong URL fails the start, not a request.
import { MemoryCache, MemoryStore, type CacheStore, type Logger, type PersistentStore } from "@sdk/core";
import type { ServiceConfig } from "./service-config.js";

export interface ServiceStores {
  store: PersistentStore;
  cache: CacheStore;
  /** e.g. "RedisCache + MemoryStore", for the start-up line. */
  label: string;
  close(): Promise<void>;
}

export async function openStores(config: Pick<ServiceConfig, "redisUrl" | "mongodbUrl" | "mongodbCollection">, logger: Logger): Promise<ServiceStores> {
  const closers: Array<() => Promise<void>> = [];
  let cache: CacheStore = new MemoryCache();
  let store: PersistentStore = new MemoryStore();
  const labels = ["MemoryCache", "MemoryStore"];
  try {
    if (config.redisUrl) {
      const [{ Redis }, { RedisCache, failFastRedisOptions }] = await Promise.all([import("ioredis"), import("@sdk/storage-redis")]);
      const client = new Redis(config.redisUrl, { ...failFastRedisOptions, lazyConnect: true });
      // ioredis reconnects by itself; without a listener its errors would be unhandled. The system code is enough.
      client.on("error", (error: NodeJS.ErrnoException) => logger.warn({ error: error.name, error_code: error.code }, "redis connection error"));
      closers.push(async () => void client.disconnect());
      await client.connect();
      const redisCache = new RedisCache(client);
      closers.unshift(() => redisCache.dispose());
      cache = redisCache;
      labels[0] = "RedisCache";
    }
    if (config.mongodbUrl) {
      const [{ MongoClient }, { MongoStore }] = await Promise.all([import("mongodb"), import("@sdk/storage-mongo")]);
      const client = await MongoClient.connect(config.mongodbUrl, { serverSelectionTimeoutMS: 5_000 });
      closers.push(() => client.close());
      store = new MongoStore(client.db().collection(config.mongodbCollection));
      labels[1] = "MongoStore";
    }
  } catch (error) {
    for (const close of closers) await close().catch(() => {});
    throw error;
  }
  return {
    store,
    cache,
    label: labels.join(" + "),
    close: async () => {
      for (const close of closers) await close();
    },
  };
}
