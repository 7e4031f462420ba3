// `sdk.reencryptConnections`: the key-rotation sweep. Pages through every record, re-encrypts those under a key
// other than the primary one through the repository (its cipher, its compare-and-set), reports progress after each
// page, and stops at a page boundary when aborted, handing back the cursor to resume from.
import { lazySchema } from "./lazy-zod.js";
import { scanFilterShape } from "./connection-scan.js";
import type { IntegrationRepository } from "./integration-repository.js";
import type { Logger } from "./logger.js";
import { parseInput } from "./parse-input.js";
import { sweepPages } from "./sweep-pages.js";

export interface ReencryptProgress {
  /** Records re-encrypted with the primary key by this call. */
  done: number;
  /** Records examined so far by this call (done + skipped + failed). */
  total: number;
  /** Already under the primary key (or re-encrypted by another process meanwhile), or deleted meanwhile. */
  skipped: number;
  /** Could not be re-encrypted (e.g. `decryption_failed`: its key is not in the ring); `failures` counts by code. */
  failed: number;
  failures: Record<string, number>;
  /** Where to resume: the cursor after the last finished page; null once the whole store was swept. */
  cursor: string | null;
}

export interface ReencryptInput {
  /** The `cursor` of an earlier, interrupted run. */
  cursor?: string;
  /** Records per page (1-1000). @default 100 */
  limit?: number;
  /** Called after every page with the running totals and the cursor to resume from. */
  onProgress?: (progress: ReencryptProgress) => void;
  /** Stops at the next record; the result's cursor resumes at the page that was running. */
  signal?: AbortSignal;
}

const reencryptSchema = lazySchema((z) =>
  z.strictObject({
    cursor: scanFilterShape().cursor,
    limit: scanFilterShape().limit,
    onProgress: z.custom<(progress: ReencryptProgress) => void>((value) => typeof value === "function", "must be a function").optional(),
    signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal, "must be an AbortSignal").optional(),
  }),
);

export async function reencryptAll(repository: IntegrationRepository, logger: Logger, input: ReencryptInput = {}): Promise<ReencryptProgress> {
  const parsed = parseInput(reencryptSchema(), input ?? {}, "reencryptConnections") as ReencryptInput;
  const progress: ReencryptProgress = { done: 0, total: 0, skipped: 0, failed: 0, failures: {}, cursor: parsed.cursor ?? null };
  const options = { operation: "reencryptConnections", cursor: parsed.cursor, limit: parsed.limit, signal: parsed.signal, logger, failureMessage: "reencryptConnections: record not re-encrypted" };
  const report = () => parsed.onProgress?.({ ...progress, failures: { ...progress.failures } });
  await sweepPages(
    repository,
    options,
    progress,
    async (record) => {
      if (!repository.needsReencryption(record)) {
        progress.skipped += 1;
        return;
      }
      if ((await repository.reencrypt(record.id)) === "reencrypted") progress.done += 1;
      else progress.skipped += 1;
    },
    report,
  );
  return progress;
}
