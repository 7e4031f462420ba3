// The embedded PersistentStore: one process, no durability. Keeps each record as its JSON text, so callers never
// share mutable state with the store (every read parses a fresh copy), exactly as a networked store would behave.
// `list` reads only the ids its indexes (account + grant key, account + creator, account + provider, natural key)
// name, so its cost follows what it returns.
import { matchesFilter, type Integration, type IntegrationFilter, type IntegrationPatch } from "./integration.js";
import type { PersistentStore, StoreScanPage, StoreScanQuery, UpdateOptions } from "./persistent-store.js";
import { SdkError } from "./sdk-error.js";

/** The key a record holds alone, or undefined when it has no natural key (1.x records have none at all). */
function uniqueKey(record: Integration): string | undefined {
  return typeof record.natural_key === "string" ? JSON.stringify([record.provider, record.account_id, record.natural_key]) : undefined;
}

/** The (account_id, grant_key) index entry of a record, or undefined when it holds no grant key. */
function grantIndexKey(record: Integration): string | undefined {
  return typeof record.grant_key === "string" ? JSON.stringify([record.account_id, record.grant_key]) : undefined;
}

/** The (account_id, created_by) index entry of a record. */
function creatorIndexKey(record: Integration): string {
  return JSON.stringify([record.account_id, record.created_by]);
}

function naturalKeyTaken(id: string): SdkError {
  return new SdkError("integration_exists", "Another integration of this provider and account already has that natural key.", {
    details: { integration_id: id, conflict: "natural_key" },
  });
}

/** The index of the first id in sorted `ids` greater than `after` (0 without `after`). */
function firstAfter(ids: readonly string[], after: string | undefined): number {
  if (after === undefined) return 0;
  let [low, high] = [0, ids.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (ids[middle]! <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class MemoryStore implements PersistentStore {
  // JSON text rather than objects: a parse per read is cheaper than structuredClone, and text takes less heap.
  readonly #records = new Map<string, string>();
  // (provider, account_id, natural_key) -> the id holding it: one record per natural key, as in every store.
  readonly #naturalKeys = new Map<string, string>();
  // Every id in ascending order, so a scan page starts with a binary search instead of sorting the store.
  readonly #order: string[] = [];
  // (account_id, provider) -> ids, and natural_key -> ids: a list parses only the records these name. Account and
  // provider never change after create; a natural key may (an update moves the id between sets).
  readonly #byAccountProvider = new Map<string, Set<string>>();
  readonly #byAccount = new Map<string, Set<string>>();
  readonly #byNaturalKey = new Map<string, Set<string>>();
  // (account_id, grant_key) -> ids: a grant family (Atlassian: one Atlassian user's records) without the rest of the account.
  readonly #byGrantKey = new Map<string, Set<string>>();
  // (account_id, created_by) -> ids: what one SDK user connected in an account (Atlassian's install scopes).
  readonly #byCreator = new Map<string, Set<string>>();
  // Creation order, the tie-break of `list` between records created in the same millisecond (as before the indexes).
  readonly #created = new Map<string, number>();
  #creations = 0;

  async get(id: string): Promise<Integration | undefined> {
    const json = this.#records.get(id);
    return json === undefined ? undefined : (JSON.parse(json) as Integration);
  }

  async create(record: Integration): Promise<Integration> {
    if (this.#records.has(record.id)) {
      throw new SdkError("integration_exists", `Integration "${record.id}" already exists.`, { details: { integration_id: record.id, conflict: "id" } });
    }
    const unique = uniqueKey(record);
    if (unique !== undefined && this.#naturalKeys.has(unique)) throw naturalKeyTaken(record.id);
    const json = JSON.stringify(record);
    this.#records.set(record.id, json);
    this.#order.splice(firstAfter(this.#order, record.id), 0, record.id);
    if (unique !== undefined) this.#naturalKeys.set(unique, record.id);
    this.#index(record, true);
    this.#created.set(record.id, this.#creations++);
    return JSON.parse(json) as Integration;
  }

  async update(id: string, patch: IntegrationPatch, { expectedVersion }: UpdateOptions): Promise<Integration> {
    const stored = this.#records.get(id);
    if (stored === undefined) {
      throw new SdkError("integration_not_found", `Integration "${id}" does not exist.`, { details: { integration_id: id } });
    }
    const current = JSON.parse(stored) as Integration;
    // A record written by 1.x has no version: it reads as 0 (readStoredRecord), so it must compare as 0 here too.
    if ((current.version ?? 0) !== expectedVersion) {
      throw new SdkError("integration_conflict", `Integration "${id}" changed since it was read; read it again and retry.`, {
        details: { integration_id: id, expected_version: expectedVersion, actual_version: current.version },
      });
    }
    // A patch field given as `undefined` leaves the stored value alone, as in every store.
    const next: Record<string, unknown> = { ...current };
    for (const [field, value] of Object.entries(patch)) if (value !== undefined) next[field] = value;
    const [held, wanted] = [uniqueKey(current), uniqueKey(next as unknown as Integration)];
    if (wanted !== held && wanted !== undefined && this.#naturalKeys.has(wanted)) throw naturalKeyTaken(id);
    const json = JSON.stringify({ ...next, version: expectedVersion + 1 });
    this.#records.set(id, json);
    if (held !== undefined && this.#naturalKeys.get(held) === id) this.#naturalKeys.delete(held);
    if (wanted !== undefined) this.#naturalKeys.set(wanted, id);
    // Account and provider never change; a changed natural key, grant key or creator moves the id between sets.
    const updated = next as unknown as Integration;
    this.#move(this.#byNaturalKey, typeof current.natural_key === "string" ? current.natural_key : undefined, typeof updated.natural_key === "string" ? updated.natural_key : undefined, id);
    this.#move(this.#byGrantKey, grantIndexKey(current), grantIndexKey(updated), id);
    this.#move(this.#byCreator, creatorIndexKey(current), creatorIndexKey(updated), id);
    return JSON.parse(json) as Integration;
  }

  async delete(id: string): Promise<boolean> {
    const stored = this.#records.get(id);
    if (stored === undefined) return false;
    const record = JSON.parse(stored) as Integration;
    const held = uniqueKey(record);
    if (held !== undefined && this.#naturalKeys.get(held) === id) this.#naturalKeys.delete(held);
    this.#index(record, false);
    this.#created.delete(id);
    this.#order.splice(firstAfter(this.#order, id) - 1, 1);
    return this.#records.delete(id);
  }

  async scan({ after, limit, ...filter }: StoreScanQuery): Promise<StoreScanPage> {
    const records: Integration[] = [];
    const start = firstAfter(this.#order, after);
    const end = Math.min(start + limit, this.#order.length);
    for (let index = start; index < end; index++) {
      const record = JSON.parse(this.#records.get(this.#order[index]!)!) as Integration;
      if (matchesFilter(record, filter)) records.push(record);
    }
    return { records, after: end < this.#order.length ? this.#order[end - 1]! : null };
  }

  async list(filter: IntegrationFilter): Promise<Integration[]> {
    const found: Integration[] = [];
    for (const id of this.#candidates(filter)) {
      const json = this.#records.get(id);
      if (json === undefined) continue;
      const record = JSON.parse(json) as Integration;
      if (matchesFilter(record, filter)) found.push(record);
    }
    return found.sort((a, b) => (a.created_at ?? "").localeCompare(b.created_at ?? "") || this.#created.get(a.id)! - this.#created.get(b.id)!);
  }

  /** The ids the narrowest index names for `filter` (a superset of the matches), or every id. */
  #candidates(filter: IntegrationFilter): Iterable<string> {
    const providers = filter.provider !== undefined ? [filter.provider] : filter.providers;
    if (filter.account_id !== undefined && filter.grant_key !== undefined) return this.#byGrantKey.get(JSON.stringify([filter.account_id, filter.grant_key])) ?? [];
    if (filter.account_id !== undefined && filter.created_by !== undefined) return this.#byCreator.get(JSON.stringify([filter.account_id, filter.created_by])) ?? [];
    if (filter.account_id !== undefined && providers !== undefined) {
      return [...new Set(providers)].flatMap((provider) => [...(this.#byAccountProvider.get(JSON.stringify([filter.account_id, provider])) ?? [])]);
    }
    if (filter.natural_key !== undefined) return this.#byNaturalKey.get(filter.natural_key) ?? [];
    if (filter.account_id !== undefined) return this.#byAccount.get(filter.account_id) ?? [];
    return this.#records.keys();
  }

  /** Adds a record's id to (or removes it from) the sets that `list` reads. */
  #index(record: Integration, add: boolean): void {
    const entries: Array<[Map<string, Set<string>>, string]> = [
      [this.#byAccountProvider, JSON.stringify([record.account_id, record.provider])],
      [this.#byAccount, record.account_id],
      [this.#byCreator, creatorIndexKey(record)],
    ];
    if (typeof record.natural_key === "string") entries.push([this.#byNaturalKey, record.natural_key]);
    const grant = grantIndexKey(record);
    if (grant !== undefined) entries.push([this.#byGrantKey, grant]);
    for (const [index, key] of entries) {
      if (add) this.#link(index, key, record.id);
      else this.#unlink(index, key, record.id);
    }
  }

  /** Moves `id` from one key of `index` to another (either may be absent); nothing when the key did not change. */
  #move(index: Map<string, Set<string>>, from: string | undefined, to: string | undefined, id: string): void {
    if (from === to) return;
    if (from !== undefined) this.#unlink(index, from, id);
    if (to !== undefined) this.#link(index, to, id);
  }

  #link(index: Map<string, Set<string>>, key: string, id: string): void {
    const ids = index.get(key);
    if (ids) ids.add(id);
    else index.set(key, new Set([id]));
  }

  #unlink(index: Map<string, Set<string>>, key: string, id: string): void {
    const ids = index.get(key);
    if (ids?.delete(id) && ids.size === 0) index.delete(key);
  }

  /** Number of records held (for tests and memory benchmarks). */
  get size(): number {
    return this.#records.size;
  }
}
