// The MongoDB document form of an integration record (`_id` = integration id) and the pure pieces MongoStore sends
// to the driver: document <-> record mapping, list queries, the compare-and-set filter and the update's `$set`.
import { readStoredRecord, type Integration, type IntegrationFilter, type IntegrationPatch } from "@sdk/core";
import type { Filter } from "mongodb";

/** One integration as stored: the record's fields, with `id` kept as `_id`. */
export type IntegrationDocument = Omit<Integration, "id"> & { _id: string };

/** 1.x documents written through Mongoose may hold `Date` timestamps; 2.0 records carry ISO 8601 strings. */
function isoString(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

export function toDocument(record: Integration): IntegrationDocument {
  const { id, ...fields } = record;
  return { _id: id, ...fields };
}

/** The record a stored document stands for, 1.x defaults filled in; undefined when it is not an integration. */
export function fromDocument(document: Record<string, unknown>): Integration | undefined {
  const { _id, ...fields } = document;
  return readStoredRecord({ ...fields, id: _id, created_at: isoString(fields.created_at), updated_at: isoString(fields.updated_at) });
}

/**
 * Matches the document only while its version is still `expectedVersion`. A 1.x document has no `version` field
 * and reads as version 0, so 0 also matches a missing field.
 */
export function versionFilter(id: string, expectedVersion: number): Filter<IntegrationDocument> {
  if (expectedVersion === 0) return { _id: id, $or: [{ version: 0 }, { version: { $exists: false } }] };
  return { _id: id, version: expectedVersion };
}

/**
 * The `$set` of a compare-and-set update: the patch (fields given as undefined are left alone), the next version,
 * and, for a 1.x document, every field it lacks (or holds as a Date) in its 2.0 form, so one write upgrades it.
 */
export function updateFields(stored: Record<string, unknown>, current: Integration, patch: IntegrationPatch, version: number): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const { id, ...normalized } = current;
  for (const [field, value] of Object.entries(normalized)) {
    if (!(field in stored) || stored[field] instanceof Date) fields[field] = value;
  }
  for (const [field, value] of Object.entries(patch)) {
    if (value !== undefined) fields[field] = value;
  }
  fields.version = version;
  return fields;
}

/** The query of `list`. Served by the (account_id, provider) index or, with a natural key, the unique one. */
export function listQuery(filter: IntegrationFilter): Filter<IntegrationDocument> {
  const query: Record<string, unknown> = {};
  if (filter.account_id !== undefined) query.account_id = filter.account_id;
  if (filter.provider !== undefined && filter.providers !== undefined) {
    query.provider = { $in: filter.providers.includes(filter.provider) ? [filter.provider] : [] };
  } else if (filter.provider !== undefined) {
    query.provider = filter.provider;
  } else if (filter.providers !== undefined) {
    query.provider = { $in: filter.providers };
  }
  if (filter.status !== undefined) {
    // `null` also matches a missing field: 1.x documents have no status and read as "active".
    query.status = filter.status === "active" ? { $in: ["active", null] } : filter.status;
  }
  if (filter.natural_key !== undefined) query.natural_key = filter.natural_key;
  return query as Filter<IntegrationDocument>;
}
