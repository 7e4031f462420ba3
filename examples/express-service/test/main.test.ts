// The built entry point as an operator runs it: `node dist/main.js --dev` answers and stops on SIGTERM; a bad
// environment exits 1 naming the variables and not their values. Needs the build (pnpm test builds first).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";

const MAIN = resolve(import.meta.dirname, "../dist/main.js");
const baseEnv = { PATH: process.env.PATH ?? "", PORT: "0", LOG_LEVEL: "silent" };

describe("dist/main.js", () => {
  it("is built", () => {
    expect(existsSync(MAIN), "run `pnpm build` (pnpm test does) before these tests").toBe(true);
  });

  it("refuses a bad environment with exit code 1, naming the variables and never their values", () => {
    const run = spawnSync(process.execPath, [MAIN], { env: { ...baseEnv, STATE_SECRET: "short-state-secret-value", SLACK_CLIENT_ID: "111.222" }, encoding: "utf8", timeout: 15_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("STATE_SECRET: must be at least 32 characters");
    expect(run.stderr).toContain("SLACK_CLIENT_SECRET: is required when SLACK_CLIENT_ID is set");
    expect(run.stderr).not.toContain("short-state-secret-value");
    expect(run.stdout).toBe("");
  });

  it("`--dev` starts the emulators and answers the connections page, and SIGTERM stops it cleanly", async () => {
    const child = spawn(process.execPath, [MAIN, "--dev"], { env: baseEnv, stdio: ["ignore", "pipe", "pipe"] });
    try {
      const [first] = await Promise.race([
        new Promise<string[]>((resolveLine) => createInterface({ input: child.stdout }).once("line", (line) => resolveLine([line]))),
        new Promise<string[]>((_, reject) => child.once("exit", (code) => reject(new Error(`exited with ${code} before listening`)))),
      ]);
      expect(first).toMatch(/^express-service listening at http:\/\/127\.0\.0\.1:\d+\/connections \(MemoryCache \+ MemoryStore; dev mode: emulators at http:\/\/127\.0\.0\.1:\d+ \(Atlassian\), .+ \(Slack\), .+ \(Sentry\)\)$/);
      const page = await fetch(/(http:\S+\/connections)/.exec(first!)![1]!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Connect Jira");
    } finally {
      const exited = new Promise<number | null>((resolveExit) => child.once("exit", resolveExit));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  }, 20_000);
});
