// The parent side of worker.mjs: forks real `node` SDK processes, sends them batches of resolves, arms their fault
// points and watches them die. Used by the reliability tests and by the benchmarks (tooling/bench).
import { fork } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";

/**
 * @typedef {object} WorkerConfig
 * @property {string} redisUrl
 * @property {string} storePrefix RedisStore keyPrefix shared by every process of one test
 * @property {string} sdkKeyPrefix createSDK keyPrefix (state nonces, rotation journal, failure memory)
 * @property {string} stateSecret
 * @property {string} encryptionKey base64, 32 bytes
 * @property {Record<string, unknown> & { endpoints: { tokenUrl: string } }} provider defineOAuthProvider options (JSON only)
 * @property {{ maxEntries: number, maxTtlMs: number }} [l1] RedisCache L1 options
 * @property {{ maxEntries: number, maxTtlMs: number }} [recordTier] RedisStore record tier options
 * @property {Array<{ id: string, key: string }>} [encryptionKeys] the key ring, when not just `encryptionKey` (id "k1")
 * @property {boolean} [storeFaults] put the store behind a fault point too (armWrites)
 */

/**
 * @typedef {object} BatchResult
 * @property {Record<string, number>} tokens access-token fingerprint -> callers that got it
 * @property {Record<string, number>} errors SdkError code -> callers that got it
 * @property {number[]} latencies per call, ms
 */

/** A short SHA-256 of a token: enough to compare tokens across processes without passing them around. */
export const fingerprint = (token) => createHash("sha256").update(token).digest("base64url").slice(0, 16);

const workerPath = fileURLToPath(new URL("./worker.mjs", import.meta.url));

export class Worker {
  /** @type {import("node:child_process").ChildProcess} */
  child;
  /** Resolves with the signal (or exit code) when the process ends. */
  exited;
  /** The fault point the worker announced just before it killed itself, if any. */
  diedAt;
  /** What sdk.reencryptConnections reported after each page, in order: what a real worker would persist to resume. */
  progress = [];
  #seq = 0;
  #pending = new Map();

  /** @param {WorkerConfig} config */
  constructor(config) {
    this.child = fork(workerPath, [JSON.stringify(config)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.ready = new Promise((resolve, reject) => {
      this.child.once("error", reject);
      this.child.once("exit", (code, signal) => reject(new Error(`worker exited before it was ready (${signal ?? code})`)));
      this.child.on("message", (message) => {
        if (message.type === "ready") resolve(message.pid);
        else if (message.type === "dying") this.diedAt = message.point;
        else if (message.type === "progress") this.progress.push(message.progress);
        else this.#settle(message);
      });
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve(signal ?? code)));
    this.exited.then((outcome) => {
      for (const [, { reject }] of this.#pending) reject(new Error(`worker died (${outcome})`));
      this.#pending.clear();
    });
  }

  #settle(message) {
    const pending = this.#pending.get(message.seq);
    if (!pending) return;
    this.#pending.delete(message.seq);
    if (message.type === "failed") pending.reject(new Error(message.message));
    else pending.resolve(message);
  }

  #ask(message) {
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject });
      this.child.send({ ...message, seq });
    });
  }

  /**
   * One unauthenticated POST to `url` (a token endpoint), so a later measurement does not include this process's
   * first request (loading and connecting fetch). @returns {Promise<{ status: number }>}
   */
  warmFetch(url) {
    return this.#ask({ type: "warm-fetch", url });
  }

  /** `count` concurrent resolveConnection(id) calls in this process. @returns {Promise<BatchResult>} */
  resolve(id, count) {
    return this.#ask({ type: "resolve", id, count });
  }

  /** The next refresh in this process SIGKILLs it at `point`: "before-token-call", "after-token-answer" or "after-journal-write". */
  arm(point) {
    return this.#ask({ type: "arm", point });
  }

  /** SIGKILLs this process right after its next `count` successful store writes ("after-store-writes"); needs `storeFaults`. */
  armWrites(count) {
    return this.#ask({ type: "arm-writes", count });
  }

  /**
   * sdk.reencryptConnections in this process, its progress appended to `progress` page by page.
   * @param {{ limit?: number, cursor?: string }} [input]
   * @returns {Promise<{ done: number, total: number, skipped: number, failed: number, failures: Record<string, number>, cursor: string | null }>}
   */
  reencrypt(input = {}) {
    return this.#ask({ type: "reencrypt", ...input });
  }

  /** Starts `concurrency` resolve loops until stopLoad(). */
  startLoad(id, concurrency, pauseMs) {
    return this.#ask({ type: "load", id, concurrency, pauseMs });
  }

  /** @returns {Promise<{ calls: number, tokens: Record<string, number>, errors: Record<string, number>, slowestFailureMs: number }>} */
  stopLoad() {
    return this.#ask({ type: "stop-load" });
  }

  /** One whole sdk.refreshDue sweep in this process. @returns {Promise<{ pages: number, examined: number, refreshed: number, not_due: number, skipped: number, failed: number, needs_reauth: number, failures: Record<string, number>, refreshedIds: string[] }>} */
  refreshDue(within, { limit = 50, concurrency = 4 } = {}) {
    return this.#ask({ type: "refresh-due", within, limit, concurrency });
  }

  /** SDK events seen since the last call (names only). @returns {Promise<{ events: string[] }>} */
  events() {
    return this.#ask({ type: "events" });
  }

  async close() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.send({ type: "close" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Forks `count` workers with one config and waits until each is connected to Redis. @param {WorkerConfig} config */
export async function startWorkers(count, config) {
  const workers = Array.from({ length: count }, () => new Worker(config));
  await Promise.all(workers.map((worker) => worker.ready));
  return workers;
}

/**
 * Sums batch results of several workers.
 * @param {BatchResult[]} results
 * @returns {BatchResult}
 */
export function mergeResults(results) {
  /** @type {BatchResult} */
  const merged = { tokens: {}, errors: {}, latencies: [] };
  for (const result of results) {
    for (const [token, count] of Object.entries(result.tokens)) merged.tokens[token] = (merged.tokens[token] ?? 0) + count;
    for (const [code, count] of Object.entries(result.errors)) merged.errors[code] = (merged.errors[code] ?? 0) + count;
    merged.latencies.push(...result.latencies);
  }
  return merged;
}
