// Starts a throwaway Redis Cluster for tests: N masters from one redis-server binary on free loopback ports, joined
// with `redis-cli --cluster create`, no replicas, no persistence. stop() ends every node and removes its files.
import { spawnSync } from "node:child_process";
import { freePort, REDIS_SERVER_INSTALL_HINT, startRedisServer } from "./redis-server.mjs";

async function distinctFreePorts(count) {
  const ports = new Set();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

function clusterState(cli, port) {
  const info = spawnSync(cli, ["-h", "127.0.0.1", "-p", String(port), "cluster", "info"], { encoding: "utf8" });
  return /cluster_state:(\w+)/.exec(info.stdout ?? "")?.[1];
}

/**
 * Returns { nodes: [{ host, port }], stop }. Bus ports are chosen free too (`--cluster-port`), since the default
 * port + 10000 can be taken or beyond 65535 for a high ephemeral port.
 */
export async function startRedisCluster({ bin, masters = 3, readyTimeoutMs = 20_000 } = {}) {
  if (!bin) throw new Error(`redis-server is not installed: a local Redis Cluster cannot be started (${REDIS_SERVER_INSTALL_HINT})`);
  const cli = bin.replace(/redis-server$/, "redis-cli");
  const ports = await distinctFreePorts(masters * 2);
  const servers = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    for (let index = 0; index < masters; index++) {
      const args = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port", String(ports[masters + index]), "--cluster-node-timeout", "5000"];
      servers.push(await startRedisServer({ bin, port: ports[index], args }));
    }
    const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
    const create = spawnSync(cli, ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"], { encoding: "utf8" });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stderr || create.stdout}`);
    const started = Date.now();
    while (!servers.every((server) => clusterState(cli, server.port) === "ok")) {
      if (Date.now() - started > readyTimeoutMs) throw new Error(`Redis Cluster did not reach cluster_state:ok within ${readyTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: servers.map((server) => ({ host: "127.0.0.1", port: server.port })), stop };
}
