// One cycle of the operations worker: the keep-alive sweep (`sdk.refreshDue`, page by page) and the key-rotation sweep
// (`sdk.reencryptConnections`), each resumable from a cursor kept in the cache, each stopping at a page boundary when
// `signal` aborts. Prints one logfmt line per page; maps what happened to an exit code cron and Kubernetes understand.
import { SdkError, type CacheStore, type RefreshDueResult, type SDK } from "@sdk/core";
import type { WorkerOptions } from "./worker-options.js";

/** sysexits(3) codes, so that a CronJob's podFailurePolicy can tell "retry later" from "fix the configuration". */
export const EXIT = {
  /** Both sweeps finished; connections that need re-authorization are reported, not failures of the worker. */
  ok: 0,
  /** The sweeps finished, but some connections failed (provider down, rate limited): the next run retries them. */
  failures: 1,
  /** A bad command line. */
  usage: 64,
  /** Stopped before the end (SIGTERM in a one-shot run, a store or cache outage): the next run resumes. */
  tempfail: 75,
  /** Misconfigured (createSDK options, a Redis startup check such as an allkeys-* eviction policy): do not retry. */
  config: 78,
} as const;

export interface CycleSummary {
  refreshed: number;
  needs_reauth: number;
  failed: number;
  reencrypted: number;
  reencrypt_failed: number;
  /** True when `signal` stopped the cycle before both sweeps were complete. */
  interrupted: boolean;
}

export interface CycleContext {
  sdk: SDK;
  /** Where the cursors of an interrupted sweep wait for the next run (the SDK's own cache is fine). */
  checkpoints: CacheStore;
  options: WorkerOptions;
  print: (line: string) => void;
  signal: AbortSignal;
  now?: () => number;
}

const CHECKPOINT_TTL_MS = 24 * 60 * 60_000;
const checkpointKey = (sweep: string) => `sdk-worker:cursor:${sweep}`;

function logfmt(fields: Record<string, string | number | boolean>): string {
  return Object.entries(fields)
    .map(([name, value]) => `${name}=${typeof value === "string" && /[\s"=]/.test(value) ? JSON.stringify(value) : value}`)
    .join(" ");
}

const counts = (failures: Record<string, number>) => Object.entries(failures).map(([code, count]) => `${code}:${count}`).join(",") || "none";

async function saveCursor(context: CycleContext, sweep: string, cursor: string | null): Promise<void> {
  if (cursor) await context.checkpoints.set(checkpointKey(sweep), cursor, CHECKPOINT_TTL_MS);
  else await context.checkpoints.delete(checkpointKey(sweep));
}

export async function runCycle(context: CycleContext): Promise<CycleSummary> {
  const { sdk, options, print, signal } = context;
  const time = () => new Date((context.now ?? Date.now)()).toISOString();
  const summary: CycleSummary = { refreshed: 0, needs_reauth: 0, failed: 0, reencrypted: 0, reencrypt_failed: 0, interrupted: false };

  let cursor: string | null | undefined = await context.checkpoints.get(checkpointKey("refresh-due"));
  if (cursor) print(logfmt({ time: time(), event: "refresh-due-resume" }));
  for (let page = 1; ; page++) {
    if (signal.aborted) {
      summary.interrupted = true;
      return summary;
    }
    const result: RefreshDueResult = await sdk.refreshDue({ within: options.withinMs, limit: options.limit, concurrency: options.concurrency, ...(cursor ? { cursor } : {}) });
    summary.refreshed += result.refreshed;
    summary.needs_reauth += result.needs_reauth;
    summary.failed += result.failed;
    const { examined, refreshed, not_due, skipped, not_refreshable, needs_reauth, failed } = result;
    print(logfmt({ time: time(), event: "refresh-due", page, examined, refreshed, not_due, skipped, not_refreshable, needs_reauth, failed, failures: counts(result.failures) }));
    cursor = result.cursor;
    await saveCursor(context, "refresh-due", cursor);
    if (!cursor) break;
  }

  if (options.reencrypt) {
    if (signal.aborted) {
      summary.interrupted = true;
      return summary;
    }
    const resumeFrom = await context.checkpoints.get(checkpointKey("reencrypt"));
    let page = 0;
    let swept = false;
    const result = await sdk.reencryptConnections({
      limit: options.limit,
      signal,
      ...(resumeFrom ? { cursor: resumeFrom } : {}),
      onProgress: (progress) => {
        page += 1;
        print(logfmt({ time: time(), event: "reencrypt", page, examined: progress.total, done: progress.done, skipped: progress.skipped, failed: progress.failed, failures: counts(progress.failures) }));
        swept = progress.cursor === null;
        void saveCursor(context, "reencrypt", progress.cursor).catch(() => undefined);
      },
    });
    summary.reencrypted = result.done;
    summary.reencrypt_failed = result.failed;
    await saveCursor(context, "reencrypt", result.cursor);
    // An abort before the first page also returns a null cursor: only a last page seen to the end means "complete".
    if (result.cursor !== null || !swept) summary.interrupted = true;
  }
  return summary;
}

/** The exit code of a finished cycle, or of the error that ended it. */
export function exitCodeOf(outcome: CycleSummary | unknown): number {
  if (outcome && typeof outcome === "object" && "interrupted" in outcome) {
    const summary = outcome as CycleSummary;
    if (summary.interrupted) return EXIT.tempfail;
    return summary.failed + summary.reencrypt_failed > 0 ? EXIT.failures : EXIT.ok;
  }
  if (SdkError.is(outcome, "misconfigured", "legacy_signature", "unsupported_operation")) return EXIT.config;
  if (SdkError.is(outcome) && outcome.retryable) return EXIT.tempfail;
  return EXIT.failures;
}
