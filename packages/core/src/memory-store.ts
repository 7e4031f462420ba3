// The embedded PersistentStore: one process, no durability. Keeps each record as its JSON text, so callers never
// share mutable state with the store (every read parses a fresh copy), exactly as a networked store would behave.
import { matchesFilter, type Integration, type IntegrationFilter, type IntegrationPatch } from "./integration.js";
import type { PersistentStore, StoreScanPage, StoreScanQuery, UpdateOptions } from "./persistent-store.js";
import { SdkError } from "./sdk-error.js";

/** The key a record holds alone, or undefined when it has no natural key (1.x records have none at all). */
function uniqueKey(record: Integration): string | undefined {
  return typeof record.natural_key === "string" ? JSON.stringify([record.provider, record.account_id, record.natural_key]) : undefined;
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
    return JSON.parse(json) as Integration;
  }

  async delete(id: string): Promise<boolean> {
    const stored = this.#records.get(id);
    if (stored === undefined) return false;
    const held = uniqueKey(JSON.parse(stored) as Integration);
    if (held !== undefined && this.#naturalKeys.get(held) === id) this.#naturalKeys.delete(held);
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
    for (const json of this.#records.values()) {
      const record = JSON.parse(json) as Integration;
      if (matchesFilter(record, filter)) found.push(record);
    }
    return found.sort((a, b) => (a.created_at ?? "").localeCompare(b.created_at ?? ""));
  }

  /** Number of records held (for tests and memory benchmarks). */
  get size(): number {
    return this.#records.size;
  }
}
