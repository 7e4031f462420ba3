// `pnpm bench`: every figure measured side by side with its baseline in one run, on a private redis-server and
// in-process emulators on 127.0.0.1. Prints a table and writes artifacts/bench.json. Not a test: nothing here fails on
// a number. Runs on the built packages (the root script builds first).
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createSDK, MemoryStore } from "@sdk/core";
import { startOAuthServer } from "@sdk/oauth/testing";
import { slack as slackProvider } from "@sdk/provider-slack";
import { startSlackEmulator } from "@sdk/provider-slack/testing";
import { RedisCache, RedisStore, failFastRedisOptions } from "@sdk/storage-redis";
import { REDIRECT_URI, WallClock, acmeProvider, installAcme, scenarioSdk } from "@sdk-tooling/reliability/acme-kit";
import { mergeResults, startWorkers } from "@sdk-tooling/reliability/worker-pool";
import { InstallProvider } from "@slack/oauth";
import { Redis } from "ioredis";
import { startRedisServer } from "../../scripts/redis-server.mjs";
import { fleet } from "./fleet.mjs";

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(benchDir, "../..");
const STATE_SECRET = "bench-state-secret-0123456789abcdefghij";
const ENCRYPTION_KEY = Buffer.alloc(32, 5).toString("base64");
const quick = process.argv.includes("--quick");
const ROUND_MS = quick ? 500 : 2000;
const ROUNDS = quick ? 1 : 3;
// `--only=fleet,stampede` runs some sections (while working on them); the table and bench.json need every section.
const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length).split(",");
const wanted = (section) => !only || only.includes(section);

const median = (values) => percentile(values, 50);
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const round = (value, digits = 2) => Number(value.toFixed(digits));
const log = (message) => process.stderr.write(`${message}\n`);

async function connect(url) {
  const client = new Redis(url, { ...failFastRedisOptions, lazyConnect: true });
  await client.connect();
  return client;
}

/** Operations per second of `operation` run by `concurrency` loops for `durationMs`. */
async function throughput(operation, concurrency, durationMs) {
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
function benchConfig(redisUrl, server, prefix) {
  return { redisUrl, storePrefix: prefix, sdkKeyPrefix: prefix, stateSecret: STATE_SECRET, encryptionKey: ENCRYPTION_KEY, provider: acmeProvider(server) };
}

// ---- 1 + 2: resolve hot path on RedisCache, with and without the L1, against a raw GET of the same key ----------

async function hotPath(redisUrl) {
  const server = await startOAuthServer({ redirectUris: [REDIRECT_URI], clock: new WallClock() });
  const clients = await Promise.all([connect(redisUrl), connect(redisUrl), connect(redisUrl)]);
  const [rawClient, sdkClient, l1Client] = clients;
  const plainCache = new RedisCache(sdkClient);
  const l1Cache = new RedisCache(l1Client, { l1: { maxEntries: 10_000, maxTtlMs: 30_000 } });
  const store = new MemoryStore();
  const config = benchConfig(redisUrl, server, "sdk");
  const sdk = scenarioSdk(config, { store, cache: plainCache });
  const sdkWithL1 = scenarioSdk(config, { store, cache: l1Cache });
  const id = await installAcme(sdk, server, { user: "bench-user", accountId: "acct-hot" });
  const key = `integration:acme:${id}:app_user:acct-hot:access_token`;
  const check = await sdk.resolveConnection(id);
  if ((await rawClient.get(key)) === null || !check.access_token) throw new Error("hot path setup: the token is not cached");
  // The same figures over 1000 integrations, so concurrent callers rarely share an integration and the SDK's
  // per-process resolve sharing cannot help: per-call cost against per-call cost.
  const many = [];
  for (let index = 0; index < 1000; index++) {
    const saved = await sdk.createConnection({
      provider: "acme",
      account_id: `acct-${index}`,
      created_by: "bench-user",
      credentials: { refresh_token: `rt-bench-${index}`, access_token: `at-bench-${index}`, access_token_expires_at: Date.now() + 3_600_000, token_type: "Bearer", scopes: ["read"] },
    });
    many.push({ id: saved.id, key: `integration:acme:${saved.id}:app_user:acct-${index}:access_token` });
  }
  let cursor = 0;
  const next = () => many[(cursor = (cursor + 1) % many.length)];
  const variants = {
    raw: () => rawClient.get(key),
    sdk: () => sdk.resolveConnection(id),
    sdkL1: () => sdkWithL1.resolveConnection(id),
    rawMany: () => rawClient.get(next().key),
    sdkMany: () => sdk.resolveConnection(next().id),
    sdkL1Many: () => sdkWithL1.resolveConnection(next().id),
  };
  for (const operation of Object.values(variants)) await throughput(operation, 64, 300);
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  // Interleaved rounds, medians: on a shared machine a neighbour's burst hits every variant alike.
  for (let index = 0; index < ROUNDS; index++) {
    for (const [name, operation] of Object.entries(variants)) samples[name].push(await throughput(operation, 64, ROUND_MS));
  }
  const tokenCalls = server.stats.refreshes;
  await Promise.all([plainCache.dispose(), l1Cache.dispose()]);
  for (const client of clients) client.disconnect();
  await server.close();
  const raw = median(samples.raw);
  const rawMany = median(samples.rawMany);
  return {
    concurrency: 64,
    rawGetPerSecond: Math.round(raw),
    resolvePerSecond: Math.round(median(samples.sdk)),
    resolveWithL1PerSecond: Math.round(median(samples.sdkL1)),
    ratio: round(median(samples.sdk) / raw),
    ratioL1: round(median(samples.sdkL1) / raw),
    distinctIntegrations: 1000,
    rawGetManyPerSecond: Math.round(rawMany),
    resolveManyPerSecond: Math.round(median(samples.sdkMany)),
    resolveWithL1ManyPerSecond: Math.round(median(samples.sdkL1Many)),
    ratioMany: round(median(samples.sdkMany) / rawMany),
    ratioL1Many: round(median(samples.sdkL1Many) / rawMany),
    refreshesDuringRun: tokenCalls,
    samples,
  };
}

// ---- 3: stampede latency of 4 processes x 250 callers vs the token endpoint's own latency ------------------------

async function stampede(redisUrl) {
  const server = await startOAuthServer({ redirectUris: [REDIRECT_URI], clock: new WallClock() });
  server.fault("token", { kind: "delay", ms: 50 }, Number.POSITIVE_INFINITY);
  const config = benchConfig(redisUrl, server, `bench-${Math.random().toString(36).slice(2, 8)}`);
  const client = await connect(redisUrl);
  const cache = new RedisCache(client);
  const sdk = scenarioSdk(config, { store: new RedisStore(client, { keyPrefix: config.storePrefix }), cache });
  const id = await installAcme(sdk, server, { user: "stampede-user", accountId: "acct-stampede" });
  const key = `integration:acme:${id}:app_user:acct-stampede:access_token`;

  // The endpoint's own latency: direct refresh calls on a grant of its own, same 50 ms, same machine.
  const authorize = `${server.authorizeUrl}?response_type=code&client_id=${server.clientId}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=read&state=x`;
  const code = new URL(await server.consent(authorize, { user: "direct-user" })).searchParams.get("code");
  const basic = `Basic ${Buffer.from(`${server.clientId}:${server.clientSecret}`).toString("base64")}`;
  const post = async (body) => {
    const answer = await fetch(server.tokenUrl, { method: "POST", headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body) });
    return answer.json();
  };
  let refreshToken = (await post({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI })).refresh_token;
  const direct = [];
  for (let index = 0; index < 25; index++) {
    const started = performance.now();
    refreshToken = (await post({ grant_type: "refresh_token", refresh_token: refreshToken })).refresh_token;
    direct.push(performance.now() - started);
  }

  const workers = await startWorkers(4, config);
  const latencies = [];
  const calls = [];
  const coldP99 = [];
  const expiries = quick ? 3 : 15;
  const warmup = 6;
  for (let expiry = -warmup; expiry < expiries; expiry++) {
    // A direct call right before each expiry: the endpoint's latency under the same conditions as the callers'.
    const directStarted = performance.now();
    refreshToken = (await post({ grant_type: "refresh_token", refresh_token: refreshToken })).refresh_token;
    if (expiry >= 0) direct.push(performance.now() - directStarted);
    await client.del(key);
    const before = server.stats.refreshes;
    const merged = mergeResults(await Promise.all(workers.map((worker) => worker.resolve(id, 250))));
    if (Object.keys(merged.errors).length > 0) throw new Error(`stampede errors: ${JSON.stringify(merged.errors)}`);
    // The first expiries warm the JIT of every process (the first takes about twice as long): steady state is measured.
    if (expiry < 0) coldP99.push(round(percentile(merged.latencies, 99), 1));
    else {
      latencies.push(...merged.latencies);
      calls.push(server.stats.refreshes - before);
    }
  }
  await Promise.all(workers.map((worker) => worker.close()));
  await cache.dispose();
  client.disconnect();
  await server.close();
  const endpoint = median(direct);
  return {
    processes: 4,
    callersPerProcess: 250,
    expiries,
    warmupExpiries: warmup,
    warmupP99Ms: coldP99,
    tokenCallsPerExpiry: calls,
    endpointLatencyMs: round(endpoint, 1),
    endpointP99Ms: round(percentile(direct, 99), 1),
    p50Ms: round(percentile(latencies, 50), 1),
    p99Ms: round(percentile(latencies, 99), 1),
    p99Ratio: round(percentile(latencies, 99) / endpoint),
  };
}

// ---- 4: token-endpoint calls per expiry, 100 concurrent resolves: this SDK vs @slack/oauth InstallProvider -------

async function slackComparison(redisUrl) {
  const workspaces = [
    { id: "T0BENCH001", name: "Bench One", domain: "bench-one" },
    { id: "T0BENCH002", name: "Bench Two", domain: "bench-two" },
  ];
  const emulator = await startSlackEmulator({ redirectUrls: [REDIRECT_URI], workspaces });
  const { endpoints } = emulator;
  const expiries = 5;
  const concurrency = 100;

  // This SDK: @sdk/provider-slack on the emulator's endpoints, RedisCache + MemoryStore, one process.
  const client = await connect(redisUrl);
  const cache = new RedisCache(client);
  const sdk = createSDK({
    store: new MemoryStore(),
    cache,
    state: { secrets: [{ id: "s1", secret: STATE_SECRET }] },
    encryption: { keys: [{ id: "k1", key: ENCRYPTION_KEY }] },
    providers: [slackProvider({ clientId: emulator.clientId, clientSecret: emulator.clientSecret, redirectUri: REDIRECT_URI, scopes: ["chat:write"], endpoints })],
  });
  const started = await sdk.buildInstallUrl({ provider: "slack", user_id: "U0INSTALLER", account_id: "acct-slack" });
  const back = new URL(await emulator.consent(started.url, { team: "T0BENCH001" }));
  const callback = await sdk.handleInstallCallback({ provider: "slack", code: back.searchParams.get("code"), state: back.searchParams.get("state"), browser_binding: started.browser_binding });
  const id = (await sdk.createConnection(callback.integration)).id;
  const key = `integration:slack:${id}:app_user:acct-slack:access_token`;
  const ours = { calls: [], errors: 0, stale: 0 };
  for (let expiry = 0; expiry < expiries; expiry++) {
    await cache.delete(key);
    const before = emulator.stats.tokenCalls;
    const results = await Promise.allSettled(Array.from({ length: concurrency }, () => sdk.resolveConnection(id)));
    ours.calls.push(emulator.stats.tokenCalls - before);
    const current = JSON.parse(await client.get(key)).access_token;
    for (const result of results) {
      if (result.status === "rejected") ours.errors += 1;
      else if (result.value.access_token !== current) ours.stale += 1;
    }
  }
  await cache.dispose();
  client.disconnect();

  // @slack/oauth: InstallProvider.authorize with token rotation, an in-memory InstallationStore, same emulator.
  const authorizeUrl = `${endpoints.authorizeUrl}?client_id=${emulator.clientId}&scope=chat:write&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&state=bench`;
  const code = new URL(await emulator.consent(authorizeUrl, { team: "T0BENCH002" })).searchParams.get("code");
  const exchange = await (
    await fetch(endpoints.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: emulator.clientId, client_secret: emulator.clientSecret, code, redirect_uri: REDIRECT_URI }),
    })
  ).json();
  let installation = {
    team: exchange.team,
    enterprise: undefined,
    isEnterpriseInstall: false,
    appId: exchange.app_id,
    authVersion: "v2",
    tokenType: "bot",
    user: { id: exchange.authed_user.id, token: undefined, scopes: undefined },
    bot: { token: exchange.access_token, refreshToken: exchange.refresh_token, expiresAt: Math.floor(Date.now() / 1000) + exchange.expires_in, scopes: exchange.scope.split(","), id: "B0BENCH", userId: exchange.bot_user_id },
  };
  const installationStore = {
    storeInstallation: async (value) => void (installation = structuredClone(value)),
    fetchInstallation: async () => structuredClone(installation),
    deleteInstallation: async () => undefined,
  };
  const silent = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => "error", setName() {} };
  const installer = new InstallProvider({
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    stateSecret: STATE_SECRET,
    installationStore,
    logger: silent,
    clientOptions: { slackApiUrl: `${endpoints.apiBaseUrl}/`, logger: silent, retryConfig: { retries: 0 } },
  });
  const slack = { calls: [], errors: 0, stale: 0 };
  for (let expiry = 0; expiry < expiries; expiry++) {
    installation.bot.expiresAt = Math.floor(Date.now() / 1000);
    const before = emulator.stats.tokenCalls;
    const results = await Promise.allSettled(Array.from({ length: concurrency }, () => installer.authorize({ teamId: "T0BENCH002", isEnterpriseInstall: false })));
    slack.calls.push(emulator.stats.tokenCalls - before);
    for (const result of results) {
      if (result.status === "rejected") slack.errors += 1;
      // A caller whose refresh was refused gets the expired token back from authorize() without an error.
      else if (result.value.botToken !== installation.bot.token) slack.stale += 1;
    }
  }
  await emulator.close();
  const perExpiry = (calls) => round(calls.reduce((sum, count) => sum + count, 0) / calls.length, 1);
  return {
    concurrency,
    expiries,
    sdk: { tokenCallsPerExpiry: perExpiry(ours.calls), errors: ours.errors, callersWithoutTheCurrentToken: ours.stale },
    slackOauth: { version: readPackage(join(benchDir, "node_modules/@slack/oauth")).version, tokenCallsPerExpiry: perExpiry(slack.calls), errors: slack.errors, callersWithoutTheCurrentToken: slack.stale },
  };
}

// ---- 5: cold start and installed size vs @slack/oauth ----------------------------------------------------------

function importMs(specifiers, runs) {
  const code = `const t = performance.now(); for (const s of ${JSON.stringify(specifiers)}) await import(s); process.stdout.write(String(performance.now() - t));`;
  const imports = [];
  const walls = [];
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: benchDir, encoding: "utf8" });
    walls.push(performance.now() - started);
    if (child.status !== 0) throw new Error(`import of ${specifiers.join(", ")} failed: ${child.stderr.slice(0, 500)}`);
    imports.push(Number(child.stdout));
  }
  return { importMs: round(median(imports), 1), processMs: round(median(walls), 1) };
}

function readPackage(dir) {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
}

function dirBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** The package directory of `name` as seen from `fromDir` (pnpm: a symlink beside it, or up the tree). */
function packageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    try {
      return realpathSync(candidate);
    } catch {
      if (dir === dirname(dir)) throw new Error(`cannot find ${name} from ${fromDir}`);
    }
  }
}

/** Unpacked bytes of the production dependency closure of `names` (each package counted once). */
function closureBytes(names, fromDir, sizeOf) {
  const seen = new Map();
  const visit = (name, from) => {
    const dir = packageDir(name, from);
    if (seen.has(dir)) return;
    seen.set(dir, sizeOf(dir));
    // Node's lookup from the package's real directory upwards finds pnpm's symlinks (…/.pnpm/<pkg>@<v>/node_modules/<dep>).
    for (const dependency of Object.keys(readPackage(dir).dependencies ?? {})) visit(dependency, dir);
  };
  for (const name of names) visit(name, fromDir);
  return { packages: seen.size, bytes: [...seen.values()].reduce((sum, bytes) => sum + bytes, 0) };
}

/** What npm would install for a workspace package: its packed files (dist, README, package.json). */
function packedFiles(dir) {
  const pack = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: dir, encoding: "utf8" });
  const [info] = JSON.parse(pack.stdout);
  return { tarball: info.size, unpacked: info.unpackedSize };
}

function coldStart() {
  const runs = quick ? 3 : 15;
  const workspaceSize = (dir) => (dir.startsWith(join(root, "packages")) ? packedFiles(dir).unpacked : dirBytes(dir));
  const ours = ["@sdk/core", "@sdk/oauth"];
  const baseline = importMs([], runs);
  const sdk = importMs(ours, runs);
  const sdkSlack = importMs([...ours, "@sdk/provider-slack"], runs);
  const slack = importMs(["@slack/oauth"], runs);
  const tarballs = Object.fromEntries(["core", "oauth", "provider-slack"].map((name) => [`@sdk/${name}`, packedFiles(join(root, "packages", name))]));
  return {
    runs,
    nodeBaselineProcessMs: baseline.processMs,
    sdk: { ...sdk, closure: closureBytes(ours, benchDir, workspaceSize) },
    sdkWithProviderSlack: { ...sdkSlack, closure: closureBytes([...ours, "@sdk/provider-slack"], benchDir, workspaceSize) },
    slackOauth: { ...slack, closure: closureBytes(["@slack/oauth"], benchDir, dirBytes), ownBytes: dirBytes(packageDir("@slack/oauth", benchDir)) },
    tarballs,
    importRatio: round(sdk.importMs / slack.importMs),
    sizeRatio: 0,
  };
}

// ---- 6: memory per 100k api-key integrations and resolves/s over 10k --------------------------------------------

function memory() {
  const child = spawnSync(process.execPath, ["--expose-gc", join(benchDir, "src/memory-child.mjs"), quick ? "10000" : "100000"], { cwd: benchDir, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`memory child failed: ${child.stderr.slice(0, 500)}`);
  return JSON.parse(child.stdout);
}

// ---- run, print, write ------------------------------------------------------------------------------------------

function machine() {
  const model = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  const nproc = spawnSync("nproc", { encoding: "utf8" }).stdout.trim();
  const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  return { nproc: Number(nproc), cpu: model, node: process.version, loadAverageAtStart: load };
}

const redis = process.env.BENCH_REDIS_URL ? undefined : await startRedisServer();
const redisUrl = process.env.BENCH_REDIS_URL ?? redis.url;
const results = { machine: machine(), date: new Date().toISOString() };
try {
  // The stampede first: its emulator runs in this process, and the hot path leaves garbage for the GC behind.
  if (wanted("stampede")) {
    log("stampede (4 processes x 250 callers)…");
    results.stampede = await stampede(redisUrl);
  }
  if (wanted("hotPath")) {
    log("hot path (64 concurrent)…");
    results.hotPath = await hotPath(redisUrl);
  }
  if (wanted("fleet")) {
    log("fleet: RedisStore + RedisCache, 1000 integrations (64 concurrent)…");
    const fleetResults = await fleet({ redisUrl, connect, throughput, median, round, rounds: ROUNDS, roundMs: ROUND_MS, stateSecret: STATE_SECRET, encryptionKey: ENCRYPTION_KEY });
    results.hotPath = { ...results.hotPath, fleet: fleetResults, redisFleetRatio: fleetResults.redisFleetRatio, redisFleetRatioL1: fleetResults.redisFleetRatioL1, apiKeyFleetRatio: fleetResults.apiKeyFleetRatio, sealedCacheRatio: fleetResults.sealedCacheRatio };
  }
  if (wanted("slack")) {
    log("token calls per expiry vs @slack/oauth…");
    results.slack = await slackComparison(redisUrl);
  }
  if (wanted("coldStart")) {
    log("cold start and size…");
    results.coldStart = coldStart();
    results.coldStart.sizeRatio = round(results.coldStart.sdk.closure.bytes / results.coldStart.slackOauth.closure.bytes);
  }
  if (wanted("memory")) {
    log("memory…");
    results.memory = memory();
  }
} finally {
  await redis?.stop();
}

if (only) {
  console.log(JSON.stringify(results, (key, value) => (key === "samples" || key === "latencies" ? undefined : value), 2));
  process.exit(0);
}
const { hotPath: hot, stampede: storm, slack, coldStart: cold, memory: mem } = results;
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const rows = [
  ["resolve hot path, RedisCache (records in MemoryStore), 64 concurrent", `${hot.resolvePerSecond.toLocaleString("en")} resolves/s`, `raw ioredis GET of the same key: ${hot.rawGetPerSecond.toLocaleString("en")}/s`, `${hot.ratio}x`, ">= 0.8x"],
  ["resolve hot path with the RedisCache L1, 64 concurrent", `${hot.resolveWithL1PerSecond.toLocaleString("en")} resolves/s`, `raw ioredis GET: ${hot.rawGetPerSecond.toLocaleString("en")}/s`, `${hot.ratioL1}x`, ">= 5x"],
  [`same, over ${hot.distinctIntegrations} integrations (no two callers share one)`, `${hot.resolveManyPerSecond.toLocaleString("en")} resolves/s; with L1 ${hot.resolveWithL1ManyPerSecond.toLocaleString("en")}/s`, `raw GET of the same ${hot.distinctIntegrations} keys: ${hot.rawGetManyPerSecond.toLocaleString("en")}/s`, `${hot.ratioMany}x; L1 ${hot.ratioL1Many}x`, "—"],
  [`fleet: RedisStore + RedisCache, ${hot.fleet.integrations} integrations, ${hot.fleet.concurrency} concurrent, no in-process tier (\`hotPath.redisFleetRatio\`)`, `${hot.fleet.resolvePerSecond.toLocaleString("en")} resolves/s`, `raw GET of ${hot.fleet.integrations} keys, same client: ${hot.fleet.rawGetPerSecond.toLocaleString("en")}/s`, `${hot.redisFleetRatio}x`, ">= 0.5x"],
  ["same, with the record tier and the L1 (`hotPath.redisFleetRatioL1`)", `${hot.fleet.resolveWithTiersPerSecond.toLocaleString("en")} resolves/s`, "same raw GET", `${hot.redisFleetRatioL1}x`, ">= 0.9x"],
  ["same, api-key provider on RedisStore, no tier (`hotPath.apiKeyFleetRatio`)", `${hot.fleet.apiKeyResolvePerSecond.toLocaleString("en")} resolves/s; with the record tier ${hot.fleet.apiKeyResolveWithTierPerSecond.toLocaleString("en")}/s`, "same raw GET", `${hot.apiKeyFleetRatio}x; tier ${hot.fleet.apiKeyFleetRatioTier}x`, ">= 0.5x"],
  ["same OAuth fleet, access tokens sealed in the cache (the default with keys) vs 1.x plaintext JSON (`hotPath.sealedCacheRatio`)", `${hot.fleet.resolvePerSecond.toLocaleString("en")} resolves/s sealed`, `${hot.fleet.resolvePlaintextCachePerSecond.toLocaleString("en")}/s plaintext`, `${hot.sealedCacheRatio}x`, "measured (cost of the default)"],
  ["stampede: 4 processes x 250 callers, one expired token (50 ms endpoint)", `p50 ${storm.p50Ms} ms, p99 ${storm.p99Ms} ms over ${storm.expiries} expiries (after ${storm.warmupExpiries} warm-up; first one p99 ${storm.warmupP99Ms[0]} ms); token calls per expiry: ${[...new Set(storm.tokenCallsPerExpiry)].join(", ")}`, `direct refresh call, interleaved: median ${storm.endpointLatencyMs} ms, p99 ${storm.endpointP99Ms} ms`, `p99 ${storm.p99Ratio}x its median`, "p99 <= 1.5x"],
  ["token-endpoint calls per expiry, 100 concurrent resolves (Slack emulator)", `this SDK: ${slack.sdk.tokenCallsPerExpiry} (${slack.sdk.callersWithoutTheCurrentToken} callers without the current token)`, `@slack/oauth ${slack.slackOauth.version} authorize(): ${slack.slackOauth.tokenCallsPerExpiry} (${slack.slackOauth.callersWithoutTheCurrentToken} callers got an expired token)`, `${round(slack.slackOauth.tokenCallsPerExpiry / slack.sdk.tokenCallsPerExpiry, 0)}x fewer`, "—"],
  ["cold start: import @sdk/core + @sdk/oauth in a fresh node", `${cold.sdk.importMs} ms (process ${cold.sdk.processMs} ms; +provider-slack ${cold.sdkWithProviderSlack.importMs} ms)`, `@slack/oauth: ${cold.slackOauth.importMs} ms (process ${cold.slackOauth.processMs} ms; bare node ${cold.nodeBaselineProcessMs} ms)`, `${round(cold.sdk.importMs / cold.slackOauth.importMs)}x its import time`, "—"],
  ["installed size (production dependency closure, unpacked)", `${kib(cold.sdk.closure.bytes)} in ${cold.sdk.closure.packages} packages (tarballs: core ${kib(cold.tarballs["@sdk/core"].tarball)}, oauth ${kib(cold.tarballs["@sdk/oauth"].tarball)})`, `@slack/oauth: ${kib(cold.slackOauth.closure.bytes)} in ${cold.slackOauth.closure.packages} packages`, `${round(cold.sdk.closure.bytes / cold.slackOauth.closure.bytes)}x its size`, "—"],
  [`memory: ${mem.integrations.toLocaleString("en")} api-key integrations in MemoryStore (encrypted)`, `${(mem.heapBytes / 1024 / 1024).toFixed(1)} MiB heap (${mem.bytesPerIntegration} B each)`, `created at ${mem.createsPerSecond.toLocaleString("en")}/s`, "—", "—"],
  [`resolves over ${mem.resolveSet.toLocaleString("en")} of them, 64 concurrent`, `${mem.resolvesPerSecond.toLocaleString("en")} resolves/s`, "no network (MemoryStore)", "—", "—"],
];
const table = ["| figure | measured | baseline, same run | ratio | target |", "| --- | --- | --- | --- | --- |", ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
const machineLine = `Measured ${results.date.slice(0, 10)} on ${results.machine.nproc} cores (${results.machine.cpu}), Node ${results.machine.node}, load average ${results.machine.loadAverageAtStart} at start; private redis-server on 127.0.0.1.`;
mkdirSync(join(root, "artifacts"), { recursive: true });
writeFileSync(join(root, "artifacts/bench.json"), `${JSON.stringify({ ...results, table }, null, 2)}\n`);
console.log(`${table}\n\n${machineLine}\nwritten to artifacts/bench.json`);
