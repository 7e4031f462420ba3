// The worker's command line: one run (`--once`, for cron and Kubernetes CronJobs) or a loop (`--every`, for a
// Deployment), and the sweep's knobs. A bad argument is a usage error (exit 64), never a guess.

export interface WorkerOptions {
  /** Milliseconds between cycles; undefined: run one cycle and exit. */
  everyMs: number | undefined;
  /** refreshDue's `within`: refresh tokens that expire within this many milliseconds. */
  withinMs: number;
  /** Records per page for both sweeps. */
  limit: number;
  /** Refreshes in flight in this process. */
  concurrency: number;
  /** Run reencryptConnections after the keep-alive sweep. */
  reencrypt: boolean;
}

export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = `usage: worker (--once | --every=<minutes>) [--within=<minutes>] [--limit=<n>] [--concurrency=<n>] [--no-reencrypt]
  --once             one keep-alive sweep and one re-encryption sweep, then exit (cron, Kubernetes CronJob)
  --every=<minutes>  the same every <minutes> until SIGTERM / SIGINT (a Deployment)
  --within=<minutes> refresh access tokens that expire within this window (default 60)
  --limit=<n>        records per page, 1-1000 (default 200)
  --concurrency=<n>  refreshes in flight, 1-64 (default 8)
  --no-reencrypt     skip the re-encryption sweep`;

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return value;
}

export function parseWorkerArguments(argv: readonly string[]): WorkerOptions {
  const options: WorkerOptions = { everyMs: undefined, withinMs: 60 * 60_000, limit: 200, concurrency: 8, reencrypt: true };
  let mode: "once" | "every" | undefined;
  for (const argument of argv) {
    const [name, value] = argument.startsWith("--") ? [argument.slice(2).split("=")[0]!, argument.includes("=") ? argument.slice(argument.indexOf("=") + 1) : undefined] : [argument, undefined];
    const needs = (text: string | undefined): string => {
      if (text === undefined || text === "") throw new UsageError(`--${name} needs a value (--${name}=...)`);
      return text;
    };
    if (mode && (name === "once" || name === "every")) throw new UsageError("give exactly one of --once and --every");
    if (name === "once" && value === undefined) mode = "once";
    else if (name === "every") {
      mode = "every";
      options.everyMs = integer(name, needs(value), 1, 24 * 60) * 60_000;
    } else if (name === "within") options.withinMs = integer(name, needs(value), 0, 7 * 24 * 60) * 60_000;
    else if (name === "limit") options.limit = integer(name, needs(value), 1, 1000);
    else if (name === "concurrency") options.concurrency = integer(name, needs(value), 1, 64);
    else if (name === "no-reencrypt" && value === undefined) options.reencrypt = false;
    else throw new UsageError(`unknown argument ${JSON.stringify(argument.slice(0, 40))}`);
  }
  if (!mode) throw new UsageError("give --once or --every=<minutes>");
  return options;
}
