// `sdk.refreshDue`: one page of the keep-alive sweep. Scans active connections, asks each OAuth provider to refresh
// the ones that are due (ProviderDefinition.refreshDue, under the refresh lock) a few at a time, and tallies what
// happened. A failed connection is counted, never thrown: one dead grant must not stop the sweep.
import { scanFilterShape, scanPage } from "./connection-scan.js";
import { lazySchema } from "./lazy-zod.js";
import { parseInput } from "./parse-input.js";
import type { ProviderContext, ProviderDefinition } from "./provider.js";
import { SdkError } from "./sdk-error.js";

/** The largest `within`: a week is more than any access token here lives, and the idle limits are providers'. */
const MAX_WITHIN_MS = 7 * 24 * 3600 * 1000;

export const refreshDueSchema = lazySchema((z) =>
  z.strictObject({
    within: z.number().int().min(0).max(MAX_WITHIN_MS),
    provider: scanFilterShape().provider,
    cursor: scanFilterShape().cursor,
    limit: scanFilterShape().limit,
    concurrency: z.number().int().min(1).max(64).optional(),
  }),
);

export interface RefreshDueInput {
  /** Refresh access tokens that expire within this many milliseconds (or are no longer cached). */
  within: number;
  /** Only this provider's connections. */
  provider?: string;
  /** The `cursor` of the previous page. */
  cursor?: string;
  /** Connections per page (1-1000). @default 100 */
  limit?: number;
  /** Refreshes in flight at once in this process. @default 4 */
  concurrency?: number;
}

export interface RefreshDueResult {
  /** Pass it back for the next page; null when the sweep is complete. */
  cursor: string | null;
  /** Active connections in this page. */
  examined: number;
  refreshed: number;
  /** Access token valid beyond `within` and grant not idle. */
  not_due: number;
  /** Refreshed by another worker or caller meanwhile. */
  skipped: number;
  /** Nothing to refresh: not an OAuth connection, or its provider is not registered here. */
  not_refreshable: number;
  /** The provider refused the grant: the connection is now `needs_reauth` (and `connection.needs_reauth` fired). */
  needs_reauth: number;
  /** Any other failure (provider down, rate limited, store or cache unavailable); `failures` counts them by code. */
  failed: number;
  failures: Record<string, number>;
}

export async function refreshDuePage(
  context: ProviderContext,
  providers: ReadonlyMap<string, ProviderDefinition>,
  input: RefreshDueInput,
): Promise<RefreshDueResult> {
  const parsed = parseInput(refreshDueSchema(), input, "refreshDue") as RefreshDueInput;
  const repository = context.integrations;
  const page = await scanPage(repository, { provider: parsed.provider, status: "active", cursor: parsed.cursor, limit: parsed.limit }, "refreshDue");
  const result: RefreshDueResult = { cursor: page.cursor, examined: page.records.length, refreshed: 0, not_due: 0, skipped: 0, not_refreshable: 0, needs_reauth: 0, failed: 0, failures: {} };
  let next = 0;
  const lane = async () => {
    while (next < page.records.length) {
      const record = page.records[next++]!;
      const provider = providers.get(record.provider);
      if (!provider?.refreshDue || provider.authType !== "oauth2") {
        result.not_refreshable += 1;
        continue;
      }
      try {
        result[await provider.refreshDue(context, repository.open(record), { withinMs: parsed.within })] += 1;
      } catch (error) {
        if (SdkError.is(error, "reauth_required")) {
          result.needs_reauth += 1;
          continue;
        }
        const code = SdkError.is(error) ? error.code : "unknown";
        result.failed += 1;
        result.failures[code] = (result.failures[code] ?? 0) + 1;
        context.logger.warn({ provider: record.provider, integration_id: record.id, code }, "refreshDue: refresh failed");
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parsed.concurrency ?? 4, page.records.length) }, lane));
  return result;
}
