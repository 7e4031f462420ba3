// `sdk.checkHealth()`: a readiness answer built from bounded probes of what the SDK depends on (store, cache,
// encryption, the hosts providers call). It reads no record and no token, and its answer carries names, settings and
// codes only: never a key, a secret or a stored value. Status words follow draft-inadarei-api-health-check.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { lazySchema } from "./lazy-zod.js";
import type { CacheStore } from "./cache-store.js";
import { parseInput } from "./parse-input.js";
import type { PersistentStore } from "./persistent-store.js";
import type { ProviderDefinition } from "./provider.js";
import { SdkError } from "./sdk-error.js";
import type { HealthStatus, StoreHealthCheck } from "./store-health-check.js";

export interface HealthCheck extends StoreHealthCheck {
  /** `"store"`, `"cache"`, `"encryption"` or `"provider:<id>"`. */
  component: string;
  duration_ms: number;
}

export interface HealthReport {
  /** The worst status of `checks`: answer a readiness probe with 503 on `"fail"` only. */
  status: HealthStatus;
  /** ISO 8601, from the SDK's clock. */
  checked_at: string;
  checks: HealthCheck[];
}

export interface CheckHealthInput {
  /**
   * Longest wait for each probe (they run at once); a probe that takes longer fails (store, cache) or warns (DNS).
   * Keep it under the readiness probe's own timeout.
   * @default 2000
   */
  timeoutMs?: number;
}

const inputSchema = lazySchema((z) => z.strictObject({ timeoutMs: z.number().int().min(50).max(60_000).optional() }).optional());

/** An id no record can hold (ids start with a letter or digit), read to prove a store answers. */
const PROBE_ID = "sdk-health-probe";

export interface HealthSubjects {
  store: PersistentStore;
  cache: CacheStore | undefined;
  /** Key ids only (never the keys); empty under `encryption.plaintext`. */
  keyIds: string[];
  providers: () => Iterable<ProviderDefinition>;
  now: () => number;
  keyPrefix: string;
}

const RANK: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };

function worst(statuses: HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>((current, status) => (RANK[status] > RANK[current] ? status : current), "pass");
}

/** Resolves with the probe's answer, or rejects with "timeout" after `timeoutMs`; the timer never holds the process. */
function within<T>(timeoutMs: number, run: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
    timer.unref?.();
    run().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The reason of a failed probe in words safe to show: an SdkError's code, else the error's class, never its message. */
function reasonOf(error: unknown): { code?: string; reason: string } {
  if (error instanceof Error && error.message === "timeout" && !SdkError.is(error)) return { reason: "no answer in time" };
  if (SdkError.is(error)) return { code: error.code, reason: error.code };
  return { reason: error instanceof Error ? error.name : typeof error };
}

async function timed(component: string, run: () => Promise<StoreHealthCheck[]>): Promise<HealthCheck[]> {
  const started = performance.now();
  const checks = await run();
  const duration_ms = Math.round(performance.now() - started);
  return checks.map((check) => ({ component, ...check, duration_ms }));
}

async function probeStore(kind: "store" | "cache", subject: { checkHealth?(): Promise<StoreHealthCheck[]> }, read: () => Promise<unknown>, timeoutMs: number): Promise<StoreHealthCheck[]> {
  const unavailable = kind === "store" ? "store_unavailable" : "cache_unavailable";
  try {
    if (subject.checkHealth) return await within(timeoutMs, () => subject.checkHealth!());
    await within(timeoutMs, read);
    return [{ name: "reachable", status: "pass", output: "a probe read answered" }];
  } catch (error) {
    const { code, reason } = reasonOf(error);
    // A misconfiguration found by the store's own startup check surfaces here through the probe read.
    return [{ name: "reachable", status: "fail", code: code ?? unavailable, output: `The ${kind} failed a probe read (${reason}).` }];
  }
}

function encryptionCheck(keyIds: string[]): StoreHealthCheck[] {
  if (keyIds.length === 0) {
    return [{ name: "keys", status: "warn", code: "misconfigured", output: "encryption.plaintext is on: credentials are stored in plaintext (a 1.x migration window only)." }];
  }
  return [{ name: "keys", status: "pass", output: `credentials encrypted with key "${keyIds[0]}" (${keyIds.length} key(s) in the ring)`, details: { primary_key_id: keyIds[0]!, key_ids: keyIds.join(",") } }];
}

/** Hosts of the provider's fixed endpoints, each looked up once; an IP literal needs no lookup. */
async function providerCheck(provider: ProviderDefinition, timeoutMs: number, resolved: Map<string, Promise<void>>): Promise<StoreHealthCheck[]> {
  const hosts = [...new Set((provider.endpoints?.() ?? []).filter((url) => URL.canParse(url)).map((url) => new URL(url).hostname.replace(/^\[|\]$/g, "")))];
  if (hosts.length === 0) return [];
  const failed: string[] = [];
  await Promise.all(
    hosts.map(async (host) => {
      if (isIP(host) !== 0) return;
      let pending = resolved.get(host);
      if (!pending) {
        pending = within(timeoutMs, () => lookup(host)).then(() => undefined);
        resolved.set(host, pending);
      }
      await pending.catch(() => failed.push(host));
    }),
  );
  if (failed.length === 0) return [{ name: "endpoints-resolvable", status: "pass", output: `resolved ${hosts.join(", ")}` }];
  // A DNS hiccup at one provider must not take every instance out of rotation: warn, never fail.
  return [{ name: "endpoints-resolvable", status: "warn", code: "provider_unavailable", output: `could not resolve ${failed.sort().join(", ")}`, details: { hosts: failed.join(",") } }];
}

export async function checkHealth(subjects: HealthSubjects, input: CheckHealthInput | undefined): Promise<HealthReport> {
  const timeoutMs = parseInput(inputSchema(), input, "checkHealth")?.timeoutMs ?? 2_000;
  const checkedAt = new Date(subjects.now()).toISOString();
  const resolved = new Map<string, Promise<void>>();
  const { store, cache } = subjects;
  const groups = await Promise.all([
    timed("store", () => probeStore("store", store, () => store.get(PROBE_ID), timeoutMs)),
    cache ? timed("cache", () => probeStore("cache", cache, () => cache.get(`${subjects.keyPrefix}:health:probe`), timeoutMs)) : Promise.resolve([]),
    timed("encryption", async () => encryptionCheck(subjects.keyIds)),
    ...[...subjects.providers()].map((provider) => timed(`provider:${provider.id}`, () => providerCheck(provider, timeoutMs, resolved))),
  ]);
  const checks = groups.flat();
  return { status: worst(checks.map((check) => check.status)), checked_at: checkedAt, checks };
}
