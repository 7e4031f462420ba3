// Fleet pages over a PersistentStore: the scan input schema, the opaque resumable cursor, and the loop that fills
// a page from the store's bounded scan calls. scanConnections, paginated listConnections, refreshDue and
// reencryptConnections all page through here, so they share one cursor format and one ordering (by id).
import { INTEGRATION_STATUSES, type Integration, type IntegrationStatus, type IntegrationSummary } from "./integration.js";
import type { IntegrationRepository } from "./integration-repository.js";
import { lazySchema } from "./lazy-zod.js";
import { parseInput } from "./parse-input.js";
import { idSchema, providerIdSchema } from "./schemas.js";
import { SdkError } from "./sdk-error.js";

/** Largest `limit` a page may ask for. */
export const MAX_PAGE_LIMIT = 1000;
/** @default 100 */
export const DEFAULT_PAGE_LIMIT = 100;
// A page examines at most this many times `limit` records before it returns (short) with a cursor, so a filter
// that matches little never turns one call into a scan of the whole fleet.
const EXAMINE_FACTOR = 8;

/** The fields of a scan filter, each a built schema (one object, built on first use). */
export const scanFilterShape = lazySchema((z) => ({
  account_id: idSchema().optional(),
  provider: providerIdSchema().optional(),
  status: z.enum(INTEGRATION_STATUSES).optional(),
  cursor: z.string().min(1).max(1024).regex(/^[A-Za-z0-9_-]+$/, "must be a cursor returned by an earlier page").optional(),
  limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
}));

export const scanInputSchema = lazySchema((z) => z.strictObject(scanFilterShape()));

export interface ScanFilter {
  account_id?: string;
  provider?: string;
  status?: IntegrationStatus;
}

export interface ScanInput extends ScanFilter {
  /** The `cursor` of the previous page; absent for the first page. */
  cursor?: string;
  /** Most items in the page (1-1000). @default 100 */
  limit?: number;
}

/** What `listConnections` accepts: an account, optional provider and status, and for one page `cursor` / `limit`. */
export interface ListInput extends ScanInput {
  account_id: string;
}

/** One page of connections. */
export interface ConnectionPage {
  /** Summaries (never credentials), in the stable scan order (ascending id). May be fewer than `limit`. */
  items: IntegrationSummary[];
  /** Pass it back for the next page; null when the scan is complete. Opaque, stable across processes and restarts. */
  cursor: string | null;
}

/** The part of a cursor that ties it to its filter: a cursor of one filter is refused by another. */
function scope(filter: ScanFilter): string {
  return JSON.stringify([filter.account_id ?? null, filter.provider ?? null, filter.status ?? null]);
}

export function encodeCursor(filter: ScanFilter, after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, s: scope(filter), a: after }), "utf8").toString("base64url");
}

export function decodeCursor(filter: ScanFilter, cursor: string | undefined, field: string): string | undefined {
  if (cursor === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  const { v, s, a } = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (v !== 1 || typeof a !== "string" || typeof s !== "string") {
    throw new SdkError("validation_failed", `"${field}" is invalid: must be a cursor returned by an earlier page.`, { details: { field } });
  }
  if (s !== scope(filter)) {
    throw new SdkError("validation_failed", `"${field}" belongs to a scan with another account_id, provider or status filter.`, { details: { field } });
  }
  return a;
}

/** Stored records of one page (credentials still sealed) and the cursor of the next one. */
export interface RecordPage {
  records: Integration[];
  cursor: string | null;
}

/**
 * Fills one page: calls the store's bounded scan until `limit` records matched, the store is exhausted, or
 * `EXAMINE_FACTOR * limit` records were examined. When a store page overflows, the cursor points at the last record
 * kept, so the next page starts right after it.
 */
export async function scanPage(repository: IntegrationRepository, input: ScanInput, field: string): Promise<RecordPage> {
  const filter: ScanFilter = { account_id: input.account_id, provider: input.provider, status: input.status };
  const limit = input.limit ?? DEFAULT_PAGE_LIMIT;
  let after = decodeCursor(filter, input.cursor, `${field}.cursor`);
  const records: Integration[] = [];
  for (let round = 0; round < EXAMINE_FACTOR; round++) {
    const page = await repository.scan({ ...definedOnly(filter), ...(after === undefined ? {} : { after }), limit });
    for (const record of page.records) {
      if (records.length === limit) return { records, cursor: encodeCursor(filter, records[records.length - 1]!.id) };
      records.push(record);
    }
    if (page.after === null) return { records, cursor: null };
    after = page.after;
    if (records.length === limit) break;
  }
  return { records, cursor: encodeCursor(filter, after!) };
}

export function parseScanInput(input: unknown, field: string): ScanInput {
  return parseInput(scanInputSchema(), input ?? {}, field) as ScanInput;
}

function definedOnly(filter: ScanFilter): ScanFilter {
  const out: ScanFilter = {};
  if (filter.account_id !== undefined) out.account_id = filter.account_id;
  if (filter.provider !== undefined) out.provider = filter.provider;
  if (filter.status !== undefined) out.status = filter.status;
  return out;
}
