// The MongoDB document form of an integration record and the pure pieces MongoStore sends to the driver: document
// <-> record mapping for 2.0 and 1.x (Mongoose) documents, id and list filters, the compare-and-set filter and `$set`.
// Nothing here talks to a server; ObjectId is the driver's own class so filters match what Mongoose stored.
import { SdkError, type Integration } from "@sdk/core";
import { readStoredRecord, type IntegrationFilter, type IntegrationPatch } from "@sdk/core/provider-kit";
import { ObjectId, type Collection, type Document } from "mongodb";

/**
 * One integration as stored: the record's fields with `id` kept as `_id`. 2.0 writes string ids; 1.x wrote through
 * Mongoose, whose default `_id` is an ObjectId (the record id is then its hex string) and whose `timestamps` add
 * `createdAt` / `updatedAt` Dates.
 */
export type IntegrationDocument = Omit<Integration, "id"> & { _id: string | ObjectId; createdAt?: Date | string; updatedAt?: Date | string };

/** The collection MongoStore and the migration helpers take: untyped, or typed with the document shape. */
export type IntegrationCollection = Collection<IntegrationDocument> | Collection<Document>;

/** The hex form `ObjectId#toHexString()` gives, which is the id a 1.x document's record carries; 2.0 ids (UUIDs) never match. */
export const OBJECT_ID_HEX = /^[0-9a-f]{24}$/;

/** BSON values are recognised by their `_bsontype` tag, so an ObjectId of any driver copy counts. */
function isObjectId(value: unknown): value is { toHexString(): string } {
  return typeof value === "object" && value !== null && (value as { _bsontype?: unknown })._bsontype === "ObjectId";
}

/** The record id of a stored `_id`: a string as is, an ObjectId as its hex string; undefined for anything else. */
export function recordId(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return isObjectId(value) ? value.toHexString() : undefined;
}

/**
 * The store is public: a caller outside the SDK could pass `{ $ne: null }` as an id, which would reach the filter as
 * an operator and match another tenant's record. Anything but a non-empty string is refused before any call.
 */
export function assertId(id: unknown, field = "id"): asserts id is string {
  if (typeof id !== "string" || id.length === 0) {
    throw new SdkError("validation_failed", `"${field}" must be a non-empty string.`, { details: { field } });
  }
}

/** The `_id` condition for a record id: `$eq` (never an operator), and the ObjectId a 1.x document may hold. */
export function idFilter(id: string): Document {
  return OBJECT_ID_HEX.test(id) ? { $in: [id, new ObjectId(id)] } : { $eq: id };
}

/** 1.x timestamps are Mongoose `Date`s; 2.0 records carry ISO 8601 strings. */
function isoString(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

export function toDocument(record: Integration): Document {
  const { id, ...fields } = record;
  return { _id: id, ...fields };
}

/** The record a stored document stands for, 1.x shapes and defaults filled in; undefined when it is not an integration. */
export function fromDocument(document: Record<string, unknown>): Integration | undefined {
  const { _id, ...fields } = document;
  return readStoredRecord({
    ...fields,
    id: recordId(_id),
    created_at: isoString(fields.created_at ?? fields.createdAt),
    updated_at: isoString(fields.updated_at ?? fields.updatedAt),
  });
}

/**
 * Mongoose `timestamps` store a Date on every 1.x write (`updatedAt`, or `updated_at` when so configured), and 2.0
 * never stores a Date. A document without one has not been written by 1.x since 2.0 last wrote it.
 */
export const NO_LEGACY_WRITE: Document = { updated_at: { $not: { $type: "date" } }, updatedAt: { $not: { $type: "date" } } };

/** True when a 1.x writer touched the document after 2.0 last wrote it (or 2.0 never wrote it). */
export function hasLegacyWrite(document: Record<string, unknown>): boolean {
  return document.updated_at instanceof Date || document.updatedAt instanceof Date;
}

/**
 * The compare-and-set filter of `update`: the version the caller read (a 1.x document without `version` reads as 0)
 * and no 1.x write since 2.0's last write, because 1.x writers change `updatedAt` but not `version`.
 */
export function versionFilter(id: string, expectedVersion: number): Document {
  const version = expectedVersion === 0 ? { $in: [0, null] } : { $eq: expectedVersion };
  return { _id: idFilter(id), version, ...NO_LEGACY_WRITE };
}

/** Matches the document only while the fields every writer changes still hold the values read. */
export function unchangedFilter(stored: Record<string, unknown>): Document {
  const same = (value: unknown) => (value === undefined ? { $exists: false } : { $eq: value });
  return { _id: stored._id, version: same(stored.version), updated_at: same(stored.updated_at), updatedAt: same(stored.updatedAt) };
}

/**
 * The `$set` that turns a 1.x document into 2.0 form: every record field it lacks or holds as a Date, and a Date
 * `updatedAt` as its ISO string (so the compare-and-set filter stops seeing a 1.x write), plus the next version.
 */
export function upgradeFields(stored: Record<string, unknown>, record: Integration): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const { id: _id, version: _version, ...normalized } = record;
  for (const [field, value] of Object.entries(normalized)) {
    if (!(field in stored) || stored[field] instanceof Date) fields[field] = value;
  }
  if (stored.updatedAt instanceof Date) fields.updatedAt = stored.updatedAt.toISOString();
  fields.version = record.version + 1;
  return fields;
}

/** The `$set` of an update: the patch (fields given as undefined are left alone) and the next version. */
export function updateFields(patch: IntegrationPatch, version: number): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(patch)) {
    if (value !== undefined) fields[field] = value;
  }
  fields.version = version;
  return fields;
}

/**
 * The query of `list`. Values go in as `$eq`/`$in`, never as operators. The natural key and the grant key also carry
 * `$type: "string"`: their indexes are partial on that expression, and the planner uses a partial index only for
 * a query that implies its filter (an equality on a string alone does not).
 * @see https://www.mongodb.com/docs/manual/core/index-partial/#query-coverage
 */
export function listQuery(filter: IntegrationFilter): Document {
  const query: Record<string, unknown> = {};
  if (filter.account_id !== undefined) query.account_id = { $eq: filter.account_id };
  if (filter.provider !== undefined && filter.providers !== undefined) {
    query.provider = { $in: filter.providers.includes(filter.provider) ? [filter.provider] : [] };
  } else if (filter.provider !== undefined) {
    query.provider = { $eq: filter.provider };
  } else if (filter.providers !== undefined) {
    query.provider = { $in: filter.providers };
  }
  if (filter.status !== undefined) {
    // `null` also matches a missing field: 1.x documents have no status and read as "active".
    query.status = filter.status === "active" ? { $in: ["active", null] } : { $eq: filter.status };
  }
  if (filter.natural_key !== undefined) query.natural_key = { $eq: filter.natural_key, $type: "string" };
  if (filter.grant_key !== undefined) query.grant_key = { $eq: filter.grant_key, $type: "string" };
  // `null` also matches a missing field: 1.x documents may have no creator, and read as "".
  if (filter.created_by !== undefined) query.created_by = filter.created_by === "" ? { $in: ["", null] } : { $eq: filter.created_by };
  return query as Document;
}
