// The key layout of RedisStore. Every key carries the `{prefix}` hash tag, so a record, its natural-key owner key,
// its index sets and the change channel share one Cluster slot and one Lua script can touch them all.
import type { Integration } from "@sdk/core";

export class RedisStoreKeys {
  /** `{prefix}`: the Cluster hash tag. */
  readonly tag: string;

  constructor(prefix: string) {
    this.tag = `{${prefix}}`;
  }

  /** The channel on which record tiers hear that a record changed. */
  channel(): string {
    return `${this.tag}:changed`;
  }

  record(id: string): string {
    return `${this.tag}:record:${id}`;
  }

  all(): string {
    return `${this.tag}:all`;
  }

  account(accountId: string): string {
    return `${this.tag}:account:${accountId}`;
  }

  provider(provider: string): string {
    return `${this.tag}:provider:${provider}`;
  }

  naturalKey(naturalKey: string): string {
    return `${this.tag}:natural-key:${naturalKey}`;
  }

  /** The set of one account's ids holding one grant key (the two parts as a JSON array, whatever they contain). */
  grantKey(accountId: string, grantKey: string): string {
    return `${this.tag}:grant-key:${JSON.stringify([accountId, grantKey])}`;
  }

  /** The index sets a record belongs to (all, its account, its provider, its natural key, its account's grant key). */
  indexKeys(record: Integration): string[] {
    const keys = [this.all(), this.account(record.account_id), this.provider(record.provider)];
    if (record.natural_key !== null) keys.push(this.naturalKey(record.natural_key));
    if (typeof record.grant_key === "string") keys.push(this.grantKey(record.account_id, record.grant_key));
    return keys;
  }

  /** The owner key of the record's (provider, account_id, natural_key), holding its id; none without a natural key. */
  ownerKeys(record: Integration): string[] {
    if (typeof record.natural_key !== "string") return [];
    // JSON keeps the three parts apart whatever they contain (account ids and natural keys may hold ':').
    return [`${this.tag}:natural-key-owner:${JSON.stringify([record.provider, record.account_id, record.natural_key])}`];
  }
}
