import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { silentLogger } from "@sdk/core";
import { openStores as openWith } from "./open-stores.js";

const openStores = (config: Parameters<typeof openWith>[0]) => openWith(config, silentLogger);
const base = { redisUrl: undefined, mongodbUrl: undefined, mongodbCollection: "integrations" };

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("openStores", () => {
  it("is the embedded default without REDIS_URL and MONGODB_URL", async () => {
    const stores = await openStores(base);
    expect(stores.label).toBe("MemoryCache + MemoryStore");
    await stores.cache.set("k", "v", 1000);
    expect(await stores.cache.get("k")).toBe("v");
    await stores.close();
  });

  it("fails the start when Redis cannot be reached, instead of failing the first request", async () => {
    await expect(openStores({ ...base, redisUrl: `redis://127.0.0.1:${await closedPort()}` })).rejects.toThrow();
  });

  it.skipIf(!process.env.REDIS_URL)("uses RedisCache on REDIS_URL, and leaves nothing open after close (skipped: needs REDIS_URL)", async () => {
    const stores = await openStores({ ...base, redisUrl: process.env.REDIS_URL });
    expect(stores.label).toBe("RedisCache + MemoryStore");
    const key = `express-service-test:${process.pid}:${Date.now()}`;
    await stores.cache.set(key, "v", 5000);
    expect(await stores.cache.get(key)).toBe("v");
    await stores.cache.delete(key);
    await stores.close();
  });

  it.skipIf(!process.env.MONGODB_URL)("uses MongoStore on MONGODB_URL (skipped: needs MONGODB_URL)", async () => {
    const stores = await openStores({ ...base, mongodbUrl: process.env.MONGODB_URL, mongodbCollection: `express_service_${process.pid}` });
    expect(stores.label).toBe("MemoryCache + MongoStore");
    expect(await stores.store.list({ account_id: "nobody" })).toEqual([]);
    await stores.close();
  });
});
