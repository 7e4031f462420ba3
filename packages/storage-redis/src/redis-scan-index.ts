// The sorted sets RedisStore's fleet scan pages through (members = ids at score 0, read in lex order): their key
// names, which one a query reads, and the one-time backfill of records written before these sets existed.
// Everything here stays in the store's hash slot; nothing loads a whole set.
import type { Integration } from "@sdk/core";
import type { RedisClient } from "./redis-client.js";
import { RedisIndexBackfill, type RecordReader } from "./redis-index-backfill.js";

export class RedisScanIndex {
  readonly #tag: string;
  readonly #backfill: RedisIndexBackfill;

  constructor(client: RedisClient, tag: string) {
    this.#tag = tag;
    this.#backfill = new RedisIndexBackfill(client, tag, `${tag}:scan:indexed`, (batch, record) => {
      for (const key of this.keysOf(record)) batch.zadd(key, 0, record.id);
    });
  }

  /** The sorted sets a record belongs to: its account and provider never change after create. */
  keysOf(record: Integration): string[] {
    return [this.#all(), this.#account(record.account_id), this.#provider(record.provider)];
  }

  /** The narrowest sorted set for a query: its account, else its provider, else every record. */
  keyFor(query: { account_id?: string; provider?: string }): string {
    if (query.account_id !== undefined) return this.#account(query.account_id);
    return query.provider !== undefined ? this.#provider(query.provider) : this.#all();
  }

  /**
   * Once per store (a marker key records it): records that RedisStore 2.0.0-alpha wrote before the scan sets
   * existed are in the `all` set only, so they are added, SSCAN batch by batch. Every write since keeps the sets
   * itself, and any process may run this concurrently (ZADD is idempotent). A record deleted meanwhile may leave an
   * id without a record, which a scan skips.
   */
  ensureBackfilled(readRecords: RecordReader, options: { again?: boolean } = {}): Promise<void> {
    return this.#backfill.ensure(readRecords, options);
  }

  #all(): string {
    return `${this.#tag}:scan:all`;
  }

  #account(accountId: string): string {
    return `${this.#tag}:scan:account:${accountId}`;
  }

  #provider(provider: string): string {
    return `${this.#tag}:scan:provider:${provider}`;
  }
}
