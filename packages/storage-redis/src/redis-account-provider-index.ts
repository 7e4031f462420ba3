// The sets of RedisStore ids per (account_id, provider), so `list({ account_id, provider | providers })` (Atlassian
// grant siblings, createConnection's lookups) reads only the ids of that provider in that account, however large the
// account is. Owns the key names and the one-time backfill of records written before these sets existed.
import type { Integration } from "@sdk/core";
import type { RedisClient } from "./redis-client.js";
import { RedisIndexBackfill, type RecordReader } from "./redis-index-backfill.js";

export class RedisAccountProviderIndex {
  readonly #tag: string;
  readonly #backfill: RedisIndexBackfill;

  constructor(client: RedisClient, tag: string) {
    this.#tag = tag;
    this.#backfill = new RedisIndexBackfill(client, tag, `${tag}:account-provider:indexed`, (batch, record) => batch.sadd(this.keyOf(record), record.id));
  }

  /** The set of one (account, provider); JSON keeps the two apart whatever they contain. */
  keyOf(record: Pick<Integration, "account_id" | "provider">): string {
    return `${this.#tag}:account-provider:${JSON.stringify([record.account_id, record.provider])}`;
  }

  /**
   * Once per store (a marker key records it): records written before these sets existed are added. Every write since
   * keeps the sets itself. Until it has finished, `list` does not read these sets.
   */
  ensureBackfilled(readRecords: RecordReader): Promise<void> {
    return this.#backfill.ensure(readRecords);
  }
}
