// `node dist/main.js --once | --every=<minutes>`: the operations worker. Progress lines on stdout (logfmt), errors
// on stderr, the exit code from run-worker.ts. SIGTERM / SIGINT stop it at the next page boundary: the cursor is
// kept, so the next run resumes where this one stopped.
import { SdkError } from "@sdk/core";
import { EXIT, exitCodeOf, runCycle, type CycleSummary } from "./run-worker.js";
import { workerSdkFromEnv } from "./sdk-from-env.js";
import { USAGE, UsageError, parseWorkerArguments } from "./worker-options.js";

const print = (line: string) => process.stdout.write(`${line}\n`);
const stop = new AbortController();
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    print(`time=${new Date().toISOString()} event=stopping signal=${signal}`);
    stop.abort();
  });
}

/** Waits `ms`, or less when stopped. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    stop.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseWorkerArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`worker: ${error.message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  const worker = await workerSdkFromEnv(process.env);
  print(`time=${new Date().toISOString()} event=start mode=${options.everyMs ? `every-${options.everyMs / 60_000}m` : "once"} stores="${worker.label}" providers=${worker.sdk.providerIds.join(",") || "none"}`);
  try {
    for (;;) {
      const started = Date.now();
      let summary: CycleSummary;
      try {
        summary = await runCycle({ sdk: worker.sdk, checkpoints: worker.cache, options, print, signal: stop.signal });
      } catch (error) {
        // A loop outlives an outage (the next cycle resumes from the saved cursor); a one-shot run reports it.
        if (!options.everyMs || exitCodeOf(error) !== EXIT.tempfail) throw error;
        print(`time=${new Date().toISOString()} event=cycle-failed code=${SdkError.is(error) ? error.code : "unknown"}`);
        await pause(options.everyMs);
        if (stop.signal.aborted) return EXIT.ok;
        continue;
      }
      const code = exitCodeOf(summary);
      print(`time=${new Date().toISOString()} event=cycle-done refreshed=${summary.refreshed} needs_reauth=${summary.needs_reauth} failed=${summary.failed} reencrypted=${summary.reencrypted} reencrypt_failed=${summary.reencrypt_failed} interrupted=${summary.interrupted} duration_ms=${Date.now() - started} exit=${code}`);
      // A loop (Deployment) that was asked to stop has done its job: 0. A one-shot run reports what the cycle did.
      if (!options.everyMs) return code;
      if (stop.signal.aborted) return EXIT.ok;
      await pause(options.everyMs);
      if (stop.signal.aborted) return EXIT.ok;
    }
  } finally {
    await worker.sdk.close();
    await worker.close();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  // Codes and messages only: an SdkError's message never carries a secret; another error is named, not dumped.
  const described = SdkError.is(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.name : String(error);
  process.stderr.write(`worker failed: ${described}\n`);
  process.exitCode = exitCodeOf(error);
}
