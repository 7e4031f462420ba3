// The persisted integration model (snake_case, as 1.x documents are) and its lenient reader for 1.x records.
// Stores keep records in this shape; credentials hold encryption envelopes at rest (see credential-cipher.ts).
import { lazySchema } from "./lazy-zod.js";

export const AUTH_TYPES = ["oauth2", "api_key", "basic", "mapped_credentials"] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

export const INTEGRATION_STATUSES = ["active", "needs_reauth", "revoked"] as const;
export type IntegrationStatus = (typeof INTEGRATION_STATUSES)[number];

/** One connected third-party account, as stored. `credentials` are envelopes at rest and plaintext in memory. */
export interface Integration {
  id: string;
  provider: string;
  account_id: string;
  created_by: string;
  auth_type: AuthType;
  status: IntegrationStatus;
  scopes: string[];
  credentials: Record<string, unknown>;
  metadata: Record<string, unknown>;
  /** The provider's natural key (Atlassian cloud_id, Slack team/enterprise, Sentry installation); unique per account and provider. */
  natural_key: string | null;
  /**
   * The grant this record shares with others of its account (Atlassian: the Atlassian user whose grant it holds), as
   * its provider derives it (`ProviderDefinition.grantKey`). Not unique: stores list by (`account_id`, `grant_key`)
   * from an index, so finding a grant's records costs what they are, not what the account holds. Absent (records
   * written before grant keys, providers without grants) means none; `null` in a patch removes it.
   */
  grant_key?: string | null;
  /** Optimistic concurrency: every update is compare-and-set on this number. 1.x records without it read as 0. */
  version: number;
  created_at: string;
  updated_at: string;
}

/** What `getConnection` / `listConnections` return: no credentials, only the names of the stored fields. */
export type IntegrationSummary = Omit<Integration, "credentials"> & { credential_fields: string[] };

/** The summary of a record: everything but the credentials, whose field names alone are listed. Never decrypts. */
export function toSummary(record: Integration): IntegrationSummary {
  const { credentials, ...rest } = record;
  return { ...rest, credential_fields: Object.keys(credentials).sort() };
}

/** What a callback returns and `createConnection` accepts. */
export interface IntegrationDraft {
  provider: string;
  account_id: string;
  created_by: string;
  auth_type?: AuthType;
  scopes?: string[];
  credentials: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** Fields an update may change. `updated_at` is always set by the SDK. */
export interface IntegrationPatch {
  status?: IntegrationStatus;
  scopes?: string[];
  credentials?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  natural_key?: string | null;
  grant_key?: string | null;
  created_by?: string;
  updated_at: string;
}

export interface IntegrationFilter {
  account_id?: string;
  provider?: string;
  providers?: string[];
  status?: IntegrationStatus;
  natural_key?: string;
  /** Records holding this grant key. Give `account_id` with it: stores answer (account_id, grant_key) from an index. */
  grant_key?: string;
  /** Records created by this SDK user. Give `account_id` with it: stores answer (account_id, created_by) from an index. */
  created_by?: string;
}

const storedRecordSchema = lazySchema((z) =>
  z.object({
    id: z.string().min(1),
    provider: z.string().min(1),
    account_id: z.string().min(1),
    created_by: z.string().default(""),
    auth_type: z.enum(AUTH_TYPES).default("oauth2"),
    status: z.enum(INTEGRATION_STATUSES).default("active"),
    scopes: z.array(z.string()).default([]),
    credentials: z.record(z.string(), z.unknown()).default({}),
    metadata: z.record(z.string(), z.unknown()).default({}),
    natural_key: z.string().nullable().default(null),
    grant_key: z.string().nullable().optional(),
    version: z.number().int().nonnegative().default(0),
    created_at: z.string().default(""),
    updated_at: z.string().default(""),
  }),
);

/**
 * Reads a record as a store returned it, filling the defaults 1.x documents lack (no `version`, `status`,
 * `metadata`). Returns undefined when the record is unusable; the caller reports it without its content.
 */
export function readStoredRecord(value: unknown): Integration | undefined {
  // Every resolve reads a record: a complete 2.0 record is checked by hand (same rules, same output: known fields
  // only, fresh objects); anything else (1.x documents, damaged values) goes through the schema.
  const complete = completeRecord(value);
  if (complete) return complete;
  const result = storedRecordSchema().safeParse(value);
  if (!result.success) return undefined;
  const { grant_key, ...record } = result.data;
  return typeof grant_key === "string" ? { ...record, grant_key } : record;
}

const isPlainRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isText = (value: unknown, min = 0): value is string => typeof value === "string" && value.length >= min;

function completeRecord(value: unknown): Integration | undefined {
  if (!isPlainRecord(value)) return undefined;
  const { id, provider, account_id, created_by, auth_type, status, scopes, credentials, metadata, natural_key, grant_key, version, created_at, updated_at } = value;
  if (!isText(id, 1) || !isText(provider, 1) || !isText(account_id, 1) || !isText(created_by) || !isText(created_at) || !isText(updated_at)) return undefined;
  if (!AUTH_TYPES.includes(auth_type as AuthType) || !INTEGRATION_STATUSES.includes(status as IntegrationStatus)) return undefined;
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === "string")) return undefined;
  if (!isPlainRecord(credentials) || !isPlainRecord(metadata)) return undefined;
  if (natural_key !== null && typeof natural_key !== "string") return undefined;
  if (grant_key !== undefined && grant_key !== null && typeof grant_key !== "string") return undefined;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 0) return undefined;
  return {
    id,
    provider,
    account_id,
    created_by,
    auth_type: auth_type as AuthType,
    status: status as IntegrationStatus,
    scopes: [...scopes],
    credentials: { ...credentials },
    metadata: { ...metadata },
    natural_key,
    // Only a key the record holds: records without one read exactly as they did before grant keys existed.
    ...(typeof grant_key === "string" ? { grant_key } : {}),
    version,
    created_at,
    updated_at,
  };
}

export function matchesFilter(record: Integration, filter: IntegrationFilter): boolean {
  if (filter.account_id !== undefined && record.account_id !== filter.account_id) return false;
  if (filter.provider !== undefined && record.provider !== filter.provider) return false;
  if (filter.providers !== undefined && !filter.providers.includes(record.provider)) return false;
  if (filter.status !== undefined && record.status !== filter.status) return false;
  if (filter.natural_key !== undefined && record.natural_key !== filter.natural_key) return false;
  if (filter.grant_key !== undefined && record.grant_key !== filter.grant_key) return false;
  if (filter.created_by !== undefined && record.created_by !== filter.created_by) return false;
  return true;
}
