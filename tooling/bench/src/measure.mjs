// What every bench scenario shares: the run's settings (--quick), the secrets of its SDKs, a Redis connection and
// the statistics (throughput loops, medians, percentiles). Owns no scenario and no output format.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { failFastRedisOptions } from "@sdk/storage-redis";
import { acmeProvider } from "@sdk-tooling/reliability/acme-kit";
import { Redis } from "ioredis";

export const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const root = resolve(benchDir, "../..");
export const STATE_SECRET = "bench-state-secret-0123456789abcdefghij";
export const ENCRYPTION_KEY = Buffer.alloc(32, 5).toString("base64");
export const quick = process.argv.includes("--quick");
export const ROUND_MS = quick ? 500 : 2000;
export const ROUNDS = quick ? 1 : 3;

export const median = (values) => percentile(values, 50);
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
export const round = (value, digits = 2) => Number(value.toFixed(digits));
export const log = (message) => process.stderr.write(`${message}\n`);

export async function connect(url) {
  const client = new Redis(url, { ...failFastRedisOptions, lazyConnect: true });
  await client.connect();
  return client;
}

/** Operations per second of `operation` run by `concurrency` loops for `durationMs`. */
export async function throughput(operation, concurrency, durationMs) {
  let done = 0;
  const stopAt = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < stopAt) {
        await operation();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

/** The settings of one SDK setup; every process of it (workers included) builds the same SDK from them. */
export function benchConfig(redisUrl, server, prefix) {
  return { redisUrl, storePrefix: prefix, sdkKeyPrefix: prefix, stateSecret: STATE_SECRET, encryptionKey: ENCRYPTION_KEY, provider: acmeProvider(server) };
}

export function readPackage(dir) {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
}

/**
 * The emulator's token endpoint called straight, without the SDK: the baseline of the refresh figures.
 * `grant(user)` consents and exchanges a code, resolving to a refresh token; `refresh(token)` resolves to the next one.
 */
export function directTokenClient(server, redirectUri) {
  const basic = `Basic ${Buffer.from(`${server.clientId}:${server.clientSecret}`).toString("base64")}`;
  const post = async (body) => {
    const answer = await fetch(server.tokenUrl, { method: "POST", headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body) });
    return answer.json();
  };
  return {
    async grant(user) {
      const authorize = `${server.authorizeUrl}?response_type=code&client_id=${server.clientId}&redirect_uri=${encodeURIComponent(redirectUri)}&scope=read&state=x`;
      const code = new URL(await server.consent(authorize, { user })).searchParams.get("code");
      return (await post({ grant_type: "authorization_code", code, redirect_uri: redirectUri })).refresh_token;
    },
    refresh: async (refreshToken) => (await post({ grant_type: "refresh_token", refresh_token: refreshToken })).refresh_token,
  };
}
