// One Lua script run by its SHA1 (EVALSHA), falling back to EVAL when the server does not know it yet (a fresh or
// restarted node, another Cluster shard). Does not define commands on the caller's client, which it does not own.
import { createHash } from "node:crypto";
import type { RedisClient } from "./redis-client.js";

export class RedisScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash("sha1").update(source).digest("hex");
  }

  /** All `keys` must hash to one slot in Cluster mode; ioredis routes the call by them. */
  async run(client: RedisClient, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return client.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}
