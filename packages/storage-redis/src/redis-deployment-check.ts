// What RedisCache and RedisStore check about the Redis they run on, once, before their first command: an eviction
// policy that may drop refresh locks or records, a plain client talking to a Cluster node, a store without persistence.
// It reads server settings only (CONFIG GET, INFO), never a key, and costs one round trip per client and role.
import { SdkError } from "@sdk/core";
import { isCluster, type RedisClient } from "./redis-client.js";

/**
 * How the first use treats Redis's `maxmemory-policy`:
 * - `"enforce"`: an `allkeys-*` policy fails every call with `misconfigured`; a Redis that will not answer `CONFIG GET`
 *   (managed Redis, a renamed command) gets one warning on stderr saying what to verify.
 * - `"warn"`: you accept the risk of an `allkeys-*` policy (locks or records evicted under memory pressure): one
 *   warning on stderr instead of the error.
 * - `"off"`: no check and no warning (you verified the policy yourself, e.g. on a managed Redis without `CONFIG`).
 */
export type EvictionPolicyCheck = "enforce" | "warn" | "off";

export type RedisRole = "cache" | "store";

/** One finding of the check, as `checkHealth` reports it: names and settings only, never a key or a value. */
export interface RedisDeploymentFinding {
  name: "reachable" | "maxmemory-policy" | "cluster-mode" | "persistence";
  status: "pass" | "warn" | "fail";
  output: string;
  code?: "misconfigured" | "cache_unavailable" | "store_unavailable";
  details?: Record<string, string>;
}

interface NodeSettings {
  node: string;
  /** undefined when CONFIG GET was refused (the reason is in `refused`). */
  policy?: string;
  refused?: string;
  /** "no" / "yes", and the RDB `save` rule; undefined when unreadable. */
  appendonly?: string;
  save?: string;
  clusterEnabled?: boolean;
}

/** Thrown by a reading that failed for a transient reason (not connected yet): nothing is decided, the next use retries. */
class TransientFailure extends Error {}

const warned = new Set<string>();

/** One line per distinct message and process: a warning repeated on every call would drown the logs. */
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`@sdk/storage-redis: ${message}\n`);
}

/** ioredis answers a refused command (renamed, unknown, NOPERM) with a ReplyError; anything else is transport. */
function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === "ReplyError";
}

function nodeName(client: { options?: { host?: string; port?: number } }): string {
  return `${client.options?.host ?? "?"}:${client.options?.port ?? "?"}`;
}

async function readSetting(node: RedisClient, name: string): Promise<string> {
  const answer = (await node.call("CONFIG", "GET", name)) as string[];
  return answer[1] ?? "";
}

async function readNode(node: RedisClient, role: RedisRole, standalone: boolean): Promise<NodeSettings> {
  const settings: NodeSettings = { node: nodeName(node as { options?: { host?: string; port?: number } }) };
  try {
    settings.policy = await readSetting(node, "maxmemory-policy");
    if (role === "store") {
      settings.appendonly = await readSetting(node, "appendonly");
      settings.save = await readSetting(node, "save");
    }
  } catch (error) {
    if (!isReplyError(error)) throw new TransientFailure();
    settings.policy = undefined;
    settings.refused = (error as Error).message.split(/\s/)[0] ?? "ERR";
  }
  if (standalone) {
    try {
      const info = String(await node.call("INFO", "cluster"));
      settings.clusterEnabled = /cluster_enabled:1/.test(info);
    } catch (error) {
      if (!isReplyError(error)) throw new TransientFailure();
    }
  }
  return settings;
}

/** Every master a command may land on: the Cluster's masters, or the one server of a standalone / Sentinel client. */
async function readDeployment(client: RedisClient, role: RedisRole): Promise<NodeSettings[]> {
  if (!isCluster(client)) return [await readNode(client, role, true)];
  const masters = client.nodes("master");
  // A Cluster that has not loaded its slot map yet has no nodes: decide at a later use.
  if (masters.length === 0) throw new TransientFailure();
  return Promise.all(masters.map((master) => readNode(master, role, false)));
}

const EVICTING_ADVICE = "set maxmemory-policy to noeviction (or a volatile-* policy)";

/** What the settings mean for one role, under the chosen policy check. */
export function judgeDeployment(nodes: NodeSettings[], role: RedisRole, check: EvictionPolicyCheck): RedisDeploymentFinding[] {
  const findings: RedisDeploymentFinding[] = [];
  const owner = role === "cache" ? "RedisCache" : "RedisStore";
  const lost = role === "cache" ? "refresh locks (two processes then refresh one grant and a rotating refresh token can be lost)" : "integration records (every caller then gets integration_not_found)";

  const standaloneOnCluster = nodes.find((node) => node.clusterEnabled);
  if (standaloneOnCluster) {
    findings.push({
      name: "cluster-mode",
      status: "fail",
      code: "misconfigured",
      output: `${owner} was given a plain Redis client, but ${standaloneOnCluster.node} is a Cluster node (cluster_enabled:1): keys on other shards fail with MOVED. Pass new Cluster([...]) from ioredis instead.`,
      details: { setting: "cluster_enabled", value: "1", node: standaloneOnCluster.node },
    });
  } else {
    findings.push({ name: "cluster-mode", status: "pass", output: nodes.length > 1 ? `Cluster client, ${nodes.length} masters` : "client matches the server mode" });
  }

  if (check !== "off") {
    const evicting = nodes.find((node) => node.policy?.startsWith("allkeys-"));
    const refused = nodes.find((node) => node.policy === undefined);
    const lockFirst = role === "cache" ? nodes.find((node) => node.policy === "volatile-ttl") : undefined;
    if (evicting) {
      const output = `Redis maxmemory-policy is "${evicting.policy}" on ${evicting.node}: under memory pressure Redis may evict ${lost}. ${EVICTING_ADVICE}, or pass new ${owner}(redis, { evictionPolicyCheck: "warn" }) to accept the risk.`;
      findings.push({ name: "maxmemory-policy", status: check === "enforce" ? "fail" : "warn", code: "misconfigured", output, details: { setting: "maxmemory-policy", value: evicting.policy!, node: evicting.node } });
    } else if (refused) {
      findings.push({
        name: "maxmemory-policy",
        status: "warn",
        output: `could not read maxmemory-policy on ${refused.node} (CONFIG GET answered ${refused.refused}: a managed Redis or a renamed command). Verify in your provider's settings that it is noeviction or volatile-*, never allkeys-*: an evicting Redis may drop ${lost}. Pass { evictionPolicyCheck: "off" } once verified.`,
        details: { setting: "maxmemory-policy", node: refused.node },
      });
    } else if (lockFirst) {
      findings.push({
        name: "maxmemory-policy",
        status: "warn",
        output: `Redis maxmemory-policy is "volatile-ttl" on ${lockFirst.node}: it evicts the shortest-lived keys first, which are the refresh locks. Prefer noeviction or volatile-lru.`,
        details: { setting: "maxmemory-policy", value: "volatile-ttl", node: lockFirst.node },
      });
    } else {
      findings.push({ name: "maxmemory-policy", status: "pass", output: `maxmemory-policy ${[...new Set(nodes.map((node) => node.policy))].join(", ")}` });
    }
  }

  if (role === "store") {
    const volatile = nodes.find((node) => node.appendonly === "no" && node.save === "");
    if (volatile) {
      findings.push({
        name: "persistence",
        status: "warn",
        output: `RedisStore runs on ${volatile.node} without persistence (appendonly no, no save rule): a restart loses every record and its refresh token. Run it with appendonly yes.`,
        details: { setting: "appendonly", value: "no", node: volatile.node },
      });
    }
  }
  return findings;
}

/**
 * The check of one store instance: `gate()` is what every command awaits (undefined once passed, so the hot path
 * pays a property read); `inspect()` reads the settings afresh for `checkHealth`.
 */
export class RedisDeploymentCheck {
  readonly #client: RedisClient;
  readonly #role: RedisRole;
  readonly #check: EvictionPolicyCheck;
  #passed = false;
  #refusal: SdkError | undefined;
  #running: Promise<void> | undefined;

  constructor(client: RedisClient, role: RedisRole, check: EvictionPolicyCheck = "enforce") {
    if (check !== "enforce" && check !== "warn" && check !== "off") {
      throw new SdkError("misconfigured", `"evictionPolicyCheck" must be "enforce", "warn" or "off".`, { details: { field: "evictionPolicyCheck" } });
    }
    this.#client = client;
    this.#role = role;
    this.#check = check;
  }

  /** The `misconfigured` error of a deployment the check refused, once it has run. */
  get refusal(): SdkError | undefined {
    return this.#refusal;
  }

  /** Undefined once the deployment passed; else a promise that rejects with `misconfigured` when it is unsafe. */
  gate(): Promise<void> | undefined {
    if (this.#passed) return undefined;
    if (this.#refusal) return Promise.reject(this.#refusal);
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<void> {
    let nodes: NodeSettings[];
    try {
      nodes = await readDeployment(this.#client, this.#role);
    } catch {
      // Not reachable or not ready: the command itself reports the outage; the check runs again at the next use.
      return;
    }
    const findings = judgeDeployment(nodes, this.#role, this.#check);
    const failed = findings.find((finding) => finding.status === "fail");
    if (failed) {
      this.#refusal = new SdkError("misconfigured", failed.output, { details: { ...failed.details } });
      throw this.#refusal;
    }
    for (const finding of findings) if (finding.status === "warn") warnOnce(finding.output);
    this.#passed = true;
  }

  /** A fresh reading for a health probe: PING, then the same judgement as the first use. */
  async inspect(): Promise<RedisDeploymentFinding[]> {
    const code = this.#role === "cache" ? "cache_unavailable" : "store_unavailable";
    try {
      await this.#client.ping();
      return [{ name: "reachable", status: "pass", output: "PING answered" }, ...judgeDeployment(await readDeployment(this.#client, this.#role), this.#role, this.#check)];
    } catch (error) {
      const reason = error instanceof TransientFailure ? "Cluster slot map not loaded" : error instanceof Error ? error.name : "unknown";
      return [{ name: "reachable", status: "fail", code, output: `Redis did not answer (${reason}).` }];
    }
  }
}
