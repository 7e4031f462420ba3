// The built worker as cron or Kubernetes runs it (`node dist/main.js`), on the embedded default stores: its exit code
// and its output for one run, a bad command line, a missing key, and a SIGTERM during a loop.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const KEY = randomBytes(32).toString("base64");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the worker with only the given environment (no REDIS_URL from the test run: the embedded default). */
function runWorker(args: string[], env: Record<string, string>, onLine?: (line: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const line of chunk.toString().split("\n").filter(Boolean)) onLine?.(line, child);
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("examples/worker (dist/main.js)", () => {
  it("--once on the embedded default: progress lines, then exit 0", async () => {
    const run = await runWorker(["--once"], { CREDENTIALS_KEY: KEY });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^time=\S+ event=start mode=once stores="MemoryStore \+ MemoryCache \(embedded default\)" providers=none$/);
    expect(lines).toContainEqual(expect.stringMatching(/event=refresh-due page=1 examined=0 refreshed=0 .* failed=0 failures=none$/));
    expect(lines).toContainEqual(expect.stringMatching(/event=reencrypt page=1 examined=0 done=0 skipped=0 failed=0/));
    expect(lines.at(-1)).toMatch(/event=cycle-done refreshed=0 needs_reauth=0 failed=0 reencrypted=0 reencrypt_failed=0 interrupted=false duration_ms=\d+ exit=0$/);
    expect(run.stdout).not.toContain(KEY);
  });

  it("exits 64 with the usage on a bad command line, and 78 without an encryption key", async () => {
    const usage = await runWorker(["--every=0"], { CREDENTIALS_KEY: KEY });
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain("--every must be a whole number from 1 to 1440");
    expect(usage.stderr).toContain("usage: worker (--once | --every=<minutes>)");
    const noKey = await runWorker(["--once"], {});
    expect(noKey.code).toBe(78);
    expect(noKey.stderr).toMatch(/^worker failed: misconfigured: Set CREDENTIALS_KEY/);
  });

  it("--every stops on SIGTERM after the running cycle, with exit 0", async () => {
    let signalled = false;
    const run = await runWorker(["--every=60"], { CREDENTIALS_KEY: KEY }, (line, child) => {
      if (!signalled && line.includes("event=cycle-done")) {
        signalled = true;
        child.kill("SIGTERM");
      }
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/event=cycle-done .*\n.*event=stopping signal=SIGTERM\n$/);
  });
});
