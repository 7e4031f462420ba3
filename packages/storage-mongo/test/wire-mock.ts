// Starts test/wire-mock.py (MongoDB's mockupdb, Debian package python3-mockupdb) and collects the commands the real
// driver sent it. Tests that use it skip, saying why, where the package is not installed.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { BSON, type Document } from "mongodb";

// Debian's interpreter: python3-mockupdb installs for it, not for a python3 another tool put first on PATH.
const PYTHON = "/usr/bin/python3";

export const wireMockSkipReason: string | undefined =
  spawnSync(PYTHON, ["-c", "import mockupdb"], { stdio: "ignore" }).status === 0
    ? undefined
    : "needs python3-mockupdb (apt-get install python3-mockupdb), MongoDB's wire-protocol mock";

export interface WireMock {
  /** A replica-set URL of the mock primary. */
  url: string;
  /** Every command received so far (handshakes and heartbeats left out), in arrival order. */
  commands(): Array<{ command: string; body: Document }>;
  stop(): Promise<void>;
}

export async function startWireMock(): Promise<WireMock> {
  const script = fileURLToPath(new URL("./wire-mock.py", import.meta.url));
  const child: ChildProcess = spawn(PYTHON, [script], { stdio: ["pipe", "pipe", "inherit"] });
  const received: Array<{ command: string; body: Document }> = [];
  const lines = createInterface({ input: child.stdout! });
  // The last acknowledgement (of endSessions while the client closes) can race the mock's exit: nothing waits for it.
  child.stdin!.on("error", () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`wire-mock.py exited with ${code}`)));
    lines.on("line", (line) => {
      // Canonical Extended JSON keeps types exact (Int32 vs Int64, Date, ObjectId); the first line is plain JSON.
      if (line.startsWith('{"port"')) resolve((JSON.parse(line) as { port: number }).port);
      else {
        received.push(BSON.EJSON.parse(line, { relaxed: true }) as { command: string; body: Document });
        if (child.exitCode === null) child.stdin!.write("\n");
      }
    });
  });
  return {
    url: `mongodb://localhost:${port}/sdk?replicaSet=rs0&serverSelectionTimeoutMS=3000`,
    commands: () => received.filter((entry) => !["endSessions", "ping"].includes(entry.command)),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
