// The SDK of the worker, built from the environment the way the service builds its own: the same store, cache,
// encryption keys and providers (a worker must know every provider whose connections it refreshes). Replace this file
// with your service's SDK construction. Without REDIS_URL it runs on the embedded default (MemoryStore + MemoryCache).
import { createSDK, MemoryCache, MemoryStore, SdkError, type CacheStore, type PersistentStore, type ProviderDefinition, type SDK } from "@sdk/core";
import { slack } from "@sdk/provider-slack";

export interface WorkerSdk {
  sdk: SDK;
  cache: CacheStore;
  /** e.g. "RedisStore + RedisCache", for the start line. */
  label: string;
  close(): Promise<void>;
}

/** `CREDENTIALS_KEYS` (JSON `[{ "id", "key" }]`, primary first: during a rotation, new key first) or `CREDENTIALS_KEY`. */
function keyRing(env: NodeJS.ProcessEnv): Array<{ id: string; key: string }> {
  if (env.CREDENTIALS_KEYS) {
    try {
      return JSON.parse(env.CREDENTIALS_KEYS) as Array<{ id: string; key: string }>;
    } catch {
      throw new SdkError("misconfigured", "CREDENTIALS_KEYS must be JSON: [{ \"id\": \"k2\", \"key\": \"<base64>\" }, ...].", { details: { field: "CREDENTIALS_KEYS" } });
    }
  }
  if (env.CREDENTIALS_KEY) return [{ id: env.CREDENTIALS_KEY_ID ?? "k1", key: env.CREDENTIALS_KEY }];
  throw new SdkError("misconfigured", "Set CREDENTIALS_KEY (or CREDENTIALS_KEYS during a key rotation): the worker reads encrypted credentials.", { details: { field: "CREDENTIALS_KEY" } });
}

function providers(env: NodeJS.ProcessEnv): ProviderDefinition[] {
  const list: ProviderDefinition[] = [];
  if (env.SLACK_CLIENT_ID && env.SLACK_CLIENT_SECRET && env.SLACK_REDIRECT_URI) {
    list.push(slack({ clientId: env.SLACK_CLIENT_ID, clientSecret: env.SLACK_CLIENT_SECRET, redirectUri: env.SLACK_REDIRECT_URI, scopes: [] }));
  }
  return list;
}

export async function workerSdkFromEnv(env: NodeJS.ProcessEnv): Promise<WorkerSdk> {
  const keys = keyRing(env);
  let store: PersistentStore = new MemoryStore();
  let cache: CacheStore = new MemoryCache();
  let label = "MemoryStore + MemoryCache (embedded default)";
  let close = async () => {};
  if (env.REDIS_URL) {
    const [{ Redis }, { RedisCache, RedisStore, failFastRedisOptions }] = await Promise.all([import("ioredis"), import("@sdk/storage-redis")]);
    const client = new Redis(env.REDIS_URL, { ...failFastRedisOptions, lazyConnect: true });
    // The system code is enough; without a listener ioredis reports every connection error as unhandled.
    client.on("error", () => undefined);
    await client.connect();
    const redisCache = new RedisCache(client);
    const redisStore = new RedisStore(client);
    store = redisStore;
    cache = redisCache;
    label = "RedisStore + RedisCache";
    close = async () => {
      await redisCache.dispose();
      await redisStore.dispose();
      client.disconnect();
    };
  }
  const stateSecret = env.STATE_SECRET ?? "";
  const sdk = createSDK({
    store,
    cache,
    encryption: { keys },
    ...(stateSecret ? { state: { secrets: [{ id: "s1", secret: stateSecret }] } } : {}),
    providers: providers(env),
  });
  return { sdk, cache, label, close };
}
