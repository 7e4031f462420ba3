// Starts and stops private redis-server processes for tests and CI: a free port, no persistence, a temp dir.
// Used by tooling/scripts/test.mjs, the bench and package test setups (Cluster tests start several from one binary).
// It installs nothing: a missing binary is reported with REDIS_SERVER_INSTALL_HINT (.ci/run installs it).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function findRedisServer() {
  const candidates = [process.env.REDIS_SERVER_BIN, "redis-server", "/usr/bin/redis-server", "/usr/local/bin/redis-server"].filter(Boolean);
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ["--version"], { stdio: "ignore" });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

/** How to get redis-server where it is missing (Debian's package; .ci/run installs it). */
export const REDIS_SERVER_INSTALL_HINT = "apt-get install redis-server";

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(bin, port, deadlineMs) {
  const cli = bin.replace(/redis-server$/, "redis-cli");
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    const ping = spawnSync(cli, ["-h", "127.0.0.1", "-p", String(port), "ping"], { encoding: "utf8" });
    if (ping.stdout?.trim() === "PONG") return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer within ${deadlineMs} ms`);
}

/**
 * Starts redis-server on a free loopback port. Returns { url, port, stop }. Extra args (e.g. cluster mode) are
 * appended. The process is a child of this one and is killed by stop() or when this process exits.
 */
export async function startRedisServer({ bin = findRedisServer(), port, args = [] } = {}) {
  if (!bin) throw new Error(`redis-server is not installed (${REDIS_SERVER_INSTALL_HINT})`);
  const chosenPort = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "sdk-redis-"));
  const child = spawn(bin, ["--bind", "127.0.0.1", "--port", String(chosenPort), "--save", "", "--appendonly", "no", "--dir", dir, ...args], {
    stdio: "ignore",
  });
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  await waitForPing(bin, chosenPort, 10_000);
  return {
    url: `redis://127.0.0.1:${chosenPort}`,
    port: chosenPort,
    dir,
    async stop() {
      process.removeListener("exit", kill);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
