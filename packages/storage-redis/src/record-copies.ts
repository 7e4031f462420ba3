// Copies of records that in-process holders (the record tier, the parsed-record memo) keep and hand out: each caller
// gets its own record, and the credential envelopes, frozen once, are shared instead of copied.
import type { Integration } from "@sdk/core";
import { isEnvelope } from "@sdk/core/provider-kit";

/**
 * A record no caller shares with the tier or with another caller. Credential envelopes are the exception: the holder
 * freezes them (`keepRecord`), nobody writes into an envelope (it is decrypted or replaced whole), so they are shared
 * instead of copied on every hot-path read.
 */
export function copyRecord(record: Integration): Integration {
  const credentials: Record<string, unknown> = {};
  for (const field of Object.keys(record.credentials)) {
    const value = record.credentials[field];
    credentials[field] = Object.isFrozen(value) ? value : copyJson(value);
  }
  return { ...record, scopes: [...record.scopes], credentials, metadata: copyJson(record.metadata) };
}

/** The own copy a tier or memo keeps of a record read from Redis, with its credential envelopes frozen (see `copyRecord`). */
export function keepRecord(record: Integration): Integration {
  const credentials: Record<string, unknown> = {};
  for (const field of Object.keys(record.credentials)) {
    const value = copyJson(record.credentials[field]);
    credentials[field] = isEnvelope(value) ? Object.freeze(value) : value;
  }
  return { ...record, scopes: [...record.scopes], credentials, metadata: copyJson(record.metadata) };
}

function copyJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => copyJson(item)) as T;
  if (value === null || typeof value !== "object") return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyJson((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** Freezes the credential envelopes of a record nobody else holds yet (just parsed), in place; returns it. */
export function freezeEnvelopes(record: Integration): Integration {
  for (const value of Object.values(record.credentials)) if (isEnvelope(value)) Object.freeze(value);
  return record;
}
