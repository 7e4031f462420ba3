// The sets of RedisStore ids per (account_id, provider), so `list({ account_id, provider | providers })` (Atlassian
// grant siblings, createConnection's lookups) reads only the ids of that provider in that account, however large the
// account is. Owns the key names and the one-time backfill of records written before these sets existed.
import type { Integration } from "@sdk/core";
import type { RedisClient } from "./redis-client.js";

/** How many ids one backfill step reads (SSCAN COUNT) and indexes. */
const BACKFILL_BATCH = 500;

export class RedisAccountProviderIndex {
  readonly #client: RedisClient;
  readonly #tag: string;
  #ready: Promise<void> | undefined;

  constructor(client: RedisClient, tag: string) {
    this.#client = client;
    this.#tag = tag;
  }

  /** The set of one (account, provider); JSON keeps the two apart whatever they contain. */
  keyOf(record: Pick<Integration, "account_id" | "provider">): string {
    return `${this.#tag}:account-provider:${JSON.stringify([record.account_id, record.provider])}`;
  }

  /**
   * Once per store (a marker key records it): records written before these sets existed are added, SSCAN batch by
   * batch over the store's `all` set. Every write since keeps the sets itself, and any number of processes may run it
   * at once (SADD is idempotent). Until it has finished, `list` does not read these sets.
   */
  ensureBackfilled(readRecords: (ids: string[]) => Promise<Array<Integration | undefined>>): Promise<void> {
    this.#ready ??= this.#backfill(readRecords).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #backfill(readRecords: (ids: string[]) => Promise<Array<Integration | undefined>>): Promise<void> {
    const marker = `${this.#tag}:account-provider:indexed`;
    if ((await this.#client.get(marker)) !== null) return;
    let cursor = "0";
    do {
      const [next, ids] = await this.#client.sscan(`${this.#tag}:all`, cursor, "COUNT", BACKFILL_BATCH);
      cursor = next;
      if (ids.length === 0) continue;
      const records = await readRecords(ids);
      const batch = this.#client.multi();
      for (const record of records) if (record) batch.sadd(this.keyOf(record), record.id);
      await batch.exec();
    } while (cursor !== "0");
    await this.#client.set(marker, "1");
  }
}
