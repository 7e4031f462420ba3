// Sets of RedisStore ids per account and one more field, so a `list` of an account narrowed by that field reads only
// the ids it names, however large the account is: (account_id, provider) for `list({ account_id, provider | providers
// })` (Atlassian grant siblings, createConnection's lookups), (account_id, created_by) for `list({ account_id,
// created_by })` (what one SDK user connected: Atlassian's install scopes). Owns the key names and each index's
// one-time backfill of records written before its sets existed.
import type { Integration } from "@sdk/core";
import type { RedisClient } from "./redis-client.js";
import { RedisIndexBackfill, type RecordReader } from "./redis-index-backfill.js";

/** The field an account index adds to `account_id`, and the segment of its key names. */
const FIELDS = { provider: "account-provider", created_by: "account-creator" } as const;

export type AccountIndexField = keyof typeof FIELDS;

export class RedisAccountIndex {
  readonly #prefix: string;
  readonly #field: AccountIndexField;
  readonly #backfill: RedisIndexBackfill;

  constructor(client: RedisClient, tag: string, field: AccountIndexField) {
    this.#prefix = `${tag}:${FIELDS[field]}`;
    this.#field = field;
    this.#backfill = new RedisIndexBackfill(client, tag, `${this.#prefix}:indexed`, (batch, record) => batch.sadd(this.keyOf(record), record.id));
  }

  /** The set of one (account, value); JSON keeps the two apart whatever they contain. */
  keyOf(record: Pick<Integration, "account_id" | AccountIndexField>): string {
    return this.key(record.account_id, record[this.#field]);
  }

  key(accountId: string, value: string): string {
    return `${this.#prefix}:${JSON.stringify([accountId, value])}`;
  }

  /**
   * Once per store (a marker key records it): records written before these sets existed are added. Every write since
   * keeps the sets itself. Until it has finished, `list` does not read these sets.
   */
  ensureBackfilled(readRecords: RecordReader, options: { again?: boolean } = {}): Promise<void> {
    return this.#backfill.ensure(readRecords, options);
  }
}
