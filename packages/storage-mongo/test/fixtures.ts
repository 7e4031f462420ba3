// Records and 1.x documents the MongoStore tests share, with and without a server.
import type { Integration } from "@sdk/core";
import { ObjectId } from "mongodb";
import { sampleIntegration } from "@sdk/core/testing";

export const uniqueName = (label: string) => `${label}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;

/** A valid 2.0 record with a unique id. */
export function integrationRecord(overrides: Partial<Integration> = {}): Integration {
  return sampleIntegration({
    id: uniqueName("int"),
    account_id: "acct-1",
    scopes: ["read:jira-work"],
    metadata: { cloud_id: "cloud-a" },
    natural_key: "cloud-a",
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    ...overrides,
  });
}

/**
 * What a 1.x service left in the collection: no version, status, metadata or natural_key, plaintext credentials,
 * Mongoose's Date timestamps and `__v`.
 */
export function legacyDocument(): Record<string, unknown> & { _id: string } {
  return {
    _id: "int-legacy",
    provider: "slack",
    account_id: "acct-1",
    created_by: "user-1",
    scopes: ["chat:write"],
    credentials: { access_token: "xoxb-plain" },
    created_at: new Date("2025-05-01T10:00:00.000Z"),
    updated_at: new Date("2025-05-02T10:00:00.000Z"),
    __v: 0,
  };
}

/**
 * What 1.x left with Mongoose's defaults: an ObjectId `_id` (the record id is its hex string) and `timestamps` as
 * camelCase `createdAt` / `updatedAt` Dates, besides what legacyDocument() lacks.
 */
export function mongooseDocument(): Record<string, unknown> & { _id: ObjectId; updatedAt: Date } {
  const { _id: _unused, created_at: _created, updated_at: _updated, ...rest } = legacyDocument();
  return {
    _id: new ObjectId("65a1b2c3d4e5f60718293a4b"),
    ...rest,
    createdAt: new Date("2025-05-01T10:00:00.000Z"),
    updatedAt: new Date("2025-05-02T10:00:00.000Z"),
  };
}

/** An encryption envelope as the SDK writes it (the store never opens it). */
export const envelope = { v: 1, kid: "k1", iv: "a", tag: "b", ct: "c" };
