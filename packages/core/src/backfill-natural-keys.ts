// `sdk.backfillNaturalKeys`: the one-time migration step that gives records written without a natural key (1.x) the
// key their provider derives, so `createConnection` finds a re-install by one indexed lookup instead of reading the
// whole account on every new key. Pages through every record (the fleet scan), compare-and-set, resumable.
import { lazySchema } from "./lazy-zod.js";
import { scanFilterShape, scanPage } from "./connection-scan.js";
import type { IntegrationRepository } from "./integration-repository.js";
import type { Integration } from "./integration.js";
import type { Logger } from "./logger.js";
import { parseInput } from "./parse-input.js";
import type { ProviderDefinition } from "./provider.js";
import { SdkError } from "./sdk-error.js";

export interface NaturalKeyBackfillResult {
  /** Records that got their natural key from this call. */
  updated: number;
  /** Already keyed, no key to derive (provider without `naturalKey`, or it derives none), or deleted meanwhile. */
  skipped: number;
  /**
   * Another record of the same provider and account already holds the derived key (a duplicate a 1.x re-install
   * left behind): this record stays without a key; `conflicts` lists them (ids only) so one of each pair can be deleted.
   */
  conflicts: Array<{ integration_id: string; holder: "natural_key" }>;
  /** Records that could not be examined (e.g. `decryption_failed` for a key derived from credentials); by code. */
  failed: number;
  failures: Record<string, number>;
  /** Records examined by this call. */
  total: number;
  /** Where to resume; null once the whole store was swept. */
  cursor: string | null;
}

export interface NaturalKeyBackfillInput {
  /** The `cursor` of an earlier, interrupted run. */
  cursor?: string;
  /** Records per page (1-1000). @default 100 */
  limit?: number;
  /** Stops at the next record; the result's cursor resumes at the page that was running. */
  signal?: AbortSignal;
}

const backfillSchema = lazySchema((z) =>
  z.strictObject({
    cursor: scanFilterShape().cursor,
    limit: scanFilterShape().limit,
    signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal, "must be an AbortSignal").optional(),
  }),
);

/** Natural keys are compared as strings; a provider that derives a number (an installation id) gets it as text. */
export function normalizeNaturalKey(key: unknown): string | null {
  if (typeof key === "number" && Number.isFinite(key)) return String(key);
  return typeof key === "string" && key.length > 0 ? key : null;
}

export async function backfillNaturalKeys(
  repository: IntegrationRepository,
  providers: ReadonlyMap<string, ProviderDefinition>,
  logger: Logger,
  input: NaturalKeyBackfillInput = {},
): Promise<NaturalKeyBackfillResult> {
  const parsed = parseInput(backfillSchema(), input ?? {}, "backfillNaturalKeys") as NaturalKeyBackfillInput;
  const result: NaturalKeyBackfillResult = { updated: 0, skipped: 0, conflicts: [], failed: 0, failures: {}, total: 0, cursor: parsed.cursor ?? null };
  let cursor = parsed.cursor;
  for (;;) {
    if (parsed.signal?.aborted) return result;
    const page = await scanPage(repository, { cursor, limit: parsed.limit }, "backfillNaturalKeys");
    for (const record of page.records) {
      // Aborted mid-page: the cursor still points before this page, and running it again is harmless.
      if (parsed.signal?.aborted) return result;
      result.total += 1;
      try {
        const outcome = await backfillOne(repository, providers.get(record.provider), record);
        if (outcome === "updated") result.updated += 1;
        else if (outcome === "conflict") result.conflicts.push({ integration_id: record.id, holder: "natural_key" });
        else result.skipped += 1;
      } catch (error) {
        const code = SdkError.is(error) ? error.code : "unknown";
        result.failed += 1;
        result.failures[code] = (result.failures[code] ?? 0) + 1;
        logger.warn({ integration_id: record.id, code }, "backfillNaturalKeys: record not examined");
      }
    }
    result.cursor = page.cursor;
    if (page.cursor === null) return result;
    cursor = page.cursor;
  }
}

async function backfillOne(repository: IntegrationRepository, provider: ProviderDefinition | undefined, scanned: Integration): Promise<"updated" | "skipped" | "conflict"> {
  if (scanned.natural_key !== null || !provider?.naturalKey) return "skipped";
  let record = scanned;
  for (let attempt = 1; ; attempt++) {
    // Credentials are opened only if the provider's naturalKey reads them (most derive the key from metadata).
    const opened = repository.open(record);
    const key = normalizeNaturalKey(provider.naturalKey({ metadata: opened.metadata, credentials: opened.credentials }));
    if (key === null) return "skipped";
    try {
      await repository.assignNaturalKey(record, key);
      return "updated";
    } catch (error) {
      if (SdkError.is(error, "integration_exists")) return "conflict";
      if (!SdkError.is(error, "integration_conflict") || attempt >= 5) throw error;
    }
    const current = await repository.get(record.id);
    if (!current || current.natural_key !== null) return "skipped";
    record = current;
  }
}
