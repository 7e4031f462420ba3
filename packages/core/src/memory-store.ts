// The embedded PersistentStore: one process, no durability. Copies records in and out so callers never share
// mutable state with the store, exactly as a networked store would behave.
import { matchesFilter, type Integration, type IntegrationFilter, type IntegrationPatch } from "./integration.js";
import type { PersistentStore, UpdateOptions } from "./persistent-store.js";
import { SdkError } from "./sdk-error.js";

export class MemoryStore implements PersistentStore {
  readonly #records = new Map<string, Integration>();

  async get(id: string): Promise<Integration | undefined> {
    const record = this.#records.get(id);
    return record ? structuredClone(record) : undefined;
  }

  async create(record: Integration): Promise<Integration> {
    if (this.#records.has(record.id)) {
      throw new SdkError("integration_exists", `Integration "${record.id}" already exists.`, { details: { integration_id: record.id } });
    }
    this.#records.set(record.id, structuredClone(record));
    return structuredClone(record);
  }

  async update(id: string, patch: IntegrationPatch, { expectedVersion }: UpdateOptions): Promise<Integration> {
    const current = this.#records.get(id);
    if (!current) {
      throw new SdkError("integration_not_found", `Integration "${id}" does not exist.`, { details: { integration_id: id } });
    }
    // A record written by 1.x has no version: it reads as 0 (readStoredRecord), so it must compare as 0 here too.
    if ((current.version ?? 0) !== expectedVersion) {
      throw new SdkError("integration_conflict", `Integration "${id}" changed since it was read; read it again and retry.`, {
        details: { integration_id: id, expected_version: expectedVersion, actual_version: current.version },
      });
    }
    const next: Integration = { ...current, ...structuredClone(patch), version: expectedVersion + 1 };
    this.#records.set(id, next);
    return structuredClone(next);
  }

  async delete(id: string): Promise<boolean> {
    return this.#records.delete(id);
  }

  async list(filter: IntegrationFilter): Promise<Integration[]> {
    const found: Integration[] = [];
    for (const record of this.#records.values()) {
      if (matchesFilter(record, filter)) found.push(structuredClone(record));
    }
    return found.sort((a, b) => (a.created_at ?? "").localeCompare(b.created_at ?? ""));
  }

  /** Number of records held (for tests and memory benchmarks). */
  get size(): number {
    return this.#records.size;
  }
}
