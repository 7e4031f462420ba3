// `sdk.backfillNaturalKeys`: the one-time migration step that gives records written without a natural key (1.x) the
// key their provider derives, so `createConnection` finds a re-install by one indexed lookup instead of reading the
// whole account on every new key, and records written before grant keys their grant key (Atlassian grant families
// are then found by index). Pages through every record (the fleet scan), compare-and-set, resumable.
import { lazySchema } from "./lazy-zod.js";
import { scanFilterShape } from "./connection-scan.js";
import type { IntegrationRepository } from "./integration-repository.js";
import type { Integration } from "./integration.js";
import type { Logger } from "./logger.js";
import { parseInput } from "./parse-input.js";
import type { ProviderDefinition } from "./provider.js";
import { SdkError } from "./sdk-error.js";
import { sweepPages } from "./sweep-pages.js";

export interface NaturalKeyBackfillResult {
  /** Records that got their natural key and/or their grant key from this call. */
  updated: number;
  /**
   * Of those, records that got the grant key their provider derives (`ProviderDefinition.grantKey`; Atlassian: the
   * Atlassian user), which written before grant keys existed they lacked.
   */
  grant_keys: number;
  /** Already keyed, no key to derive (provider without `naturalKey` / `grantKey`, or it derives none), or deleted meanwhile. */
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

/** The grant key a provider derives for a record (non-empty text), or null (none, or no `grantKey` hook). */
export function providerGrantKey(provider: ProviderDefinition, metadata: Record<string, unknown>, credentials: Record<string, unknown>): string | null {
  const key = provider.grantKey?.({ metadata, credentials });
  return typeof key === "string" && key.length > 0 ? key : null;
}

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
  const result: NaturalKeyBackfillResult = { updated: 0, grant_keys: 0, skipped: 0, conflicts: [], failed: 0, failures: {}, total: 0, cursor: parsed.cursor ?? null };
  const options = { operation: "backfillNaturalKeys", cursor: parsed.cursor, limit: parsed.limit, signal: parsed.signal, logger, failureMessage: "backfillNaturalKeys: record not examined" };
  await sweepPages(repository, options, result, async (record) => {
    const outcome = await backfillOne(repository, providers.get(record.provider), record);
    if (outcome.conflict) result.conflicts.push({ integration_id: record.id, holder: "natural_key" });
    if (outcome.written) result.updated += 1;
    else if (!outcome.conflict) result.skipped += 1;
    if (outcome.grantKey) result.grant_keys += 1;
  });
  return result;
}

type Outcome = { written: boolean; grantKey: boolean; conflict: boolean };

async function backfillOne(repository: IntegrationRepository, provider: ProviderDefinition | undefined, scanned: Integration): Promise<Outcome> {
  const outcome: Outcome = { written: false, grantKey: false, conflict: false };
  if (!provider) return outcome;
  let record = scanned;
  for (let attempt = 1; ; attempt++) {
    // Credentials are opened only if the provider's hooks read them (most derive their keys from metadata).
    const opened = repository.open(record);
    const keys: { natural_key?: string; grant_key?: string } = {};
    if (record.natural_key === null && provider.naturalKey && !outcome.conflict) {
      const key = normalizeNaturalKey(provider.naturalKey({ metadata: opened.metadata, credentials: opened.credentials }));
      if (key !== null) keys.natural_key = key;
    }
    const grantKey = providerGrantKey(provider, opened.metadata, opened.credentials);
    if (grantKey !== null && record.grant_key !== grantKey) keys.grant_key = grantKey;
    if (keys.natural_key === undefined && keys.grant_key === undefined) return outcome;
    try {
      await repository.assignKeys(record, keys);
      return { ...outcome, written: true, grantKey: keys.grant_key !== undefined };
    } catch (error) {
      // The natural key is another record's (a 1.x duplicate): reported, and the grant key is still given.
      if (SdkError.is(error, "integration_exists")) {
        outcome.conflict = true;
        if (keys.grant_key === undefined) return outcome;
      } else if (!SdkError.is(error, "integration_conflict") || attempt >= 5) throw error;
    }
    // Sealed, as the scan hands records over: `open` above decrypts what the hooks read, once.
    const current = await repository.sealed(record.id);
    if (!current) return outcome;
    record = current;
  }
}
