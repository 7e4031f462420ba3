// The page loop of the fleet-wide sweeps (`reencryptConnections`, `backfillNaturalKeys`): every record page by page
// from a cursor, stopping cleanly on an abort, a record that fails counted and logged without stopping the sweep.
import { scanPage } from "./connection-scan.js";
import type { IntegrationRepository } from "./integration-repository.js";
import type { Integration } from "./integration.js";
import type { Logger } from "./logger.js";
import { SdkError } from "./sdk-error.js";

/** What every sweep reports: records seen, failures by code, and the cursor to resume from (null when done). */
export interface SweepTally {
  total: number;
  failed: number;
  failures: Record<string, number>;
  cursor: string | null;
}

export interface SweepOptions {
  /** The public method, for errors and log lines (`reencryptConnections`). */
  operation: string;
  cursor?: string;
  limit?: number;
  signal?: AbortSignal;
  logger: Logger;
  /** The warn line of a record whose visit threw. */
  failureMessage: string;
}

/**
 * Visits every record from `options.cursor` on, updating `tally` (total, failures, cursor after each page) and calling
 * `afterPage` once a page is done. Returns on an abort (before a record, so the cursor still points before the page,
 * and running it again is harmless) or when the last page is done.
 */
export async function sweepPages(repository: IntegrationRepository, options: SweepOptions, tally: SweepTally, visit: (record: Integration) => Promise<void>, afterPage?: () => void): Promise<void> {
  let cursor = options.cursor;
  for (;;) {
    if (options.signal?.aborted) return;
    const page = await scanPage(repository, { cursor, limit: options.limit }, options.operation);
    for (const record of page.records) {
      if (options.signal?.aborted) return;
      tally.total += 1;
      try {
        await visit(record);
      } catch (error) {
        const code = SdkError.is(error) ? error.code : "unknown";
        tally.failed += 1;
        tally.failures[code] = (tally.failures[code] ?? 0) + 1;
        options.logger.warn({ integration_id: record.id, code }, options.failureMessage);
      }
    }
    tally.cursor = page.cursor;
    afterPage?.();
    if (page.cursor === null) return;
    cursor = page.cursor;
  }
}
