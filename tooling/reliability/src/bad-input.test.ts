// Property-based pass (fast-check) over every public method of the SDK, on RedisStore + RedisCache: malformed and
// hostile inputs (wrong types, huge strings, prototype-pollution keys, unicode, injection-like ids) are
// `validation_failed` naming the field, leave Redis byte-for-byte as it was, reach no provider, and never crash.
// The table-driven pass with hand-picked cases lives in @sdk/core (connection-manager.validation.test.ts).
import { randomBytes } from "node:crypto";
import { SdkError, createSDK, defineApiKeyProvider, type SDK } from "@sdk/core";
import { defineOAuthProvider } from "@sdk/oauth";
import { installOAuth, type Clock, type OAuthEmulator } from "@sdk/oauth/testing";
import { RedisCache, RedisStore } from "@sdk/storage-redis";
import fc from "fast-check";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { acmeProvider } from "./acme-kit.mjs";
import { connect, startProvider } from "../test/fixture.js";

// Seeded so a run is repeatable (CI must not turn red on a new random input); FC_SEED=random explores new inputs,
// and a failure prints the seed that replays it (FC_SEED=<seed>).
if (process.env.FC_SEED !== "random") fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261130) });

const RUNS = Number(process.env.SDK_PROPERTY_RUNS ?? 100);
const run = randomBytes(4).toString("hex");
const API_KEY = `key-planted-${run}-secret`;

let redis: Redis;
let server: OAuthEmulator<Clock>;
let cache: RedisCache;
let sdk: SDK;
let keyId: string;
let oauthId: string;

beforeAll(async () => {
  redis = await connect(inject("redis").url);
  server = await startProvider();
  cache = new RedisCache(redis, { keyPrefix: `bad-${run}:` });
  sdk = createSDK({
    store: new RedisStore(redis, { keyPrefix: `bad-${run}` }),
    cache,
    keyPrefix: `sdk-${run}`,
    state: { secrets: [{ id: "s1", secret: "bad-input-state-secret-0123456789abcdef" }] },
    encryption: { keys: [{ id: "k1", key: Buffer.alloc(32, 9).toString("base64") }] },
    providers: [
      defineApiKeyProvider({ id: "acme-key", baseUrl: server.url }),
      defineOAuthProvider(acmeProvider(server)),
    ],
  });
  keyId = (await sdk.createConnection({ provider: "acme-key", account_id: "acct-1", created_by: "user-1", credentials: { api_key: API_KEY } })).id;
  oauthId = (await installOAuth(sdk, server, { user_id: "user-1", account_id: "acct-1" })).id;
  await sdk.resolveConnection(oauthId);
});

afterAll(async () => {
  await cache?.dispose();
  redis?.disconnect();
  await server?.close();
});

/** Every key of this run (store and cache) with its type, value and whether it has a TTL, read with raw commands. */
async function snapshot(): Promise<string> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", `*${run}*`, "COUNT", 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== "0");
  const entries = await Promise.all(
    keys.sort().map(async (key) => {
      const type = await redis.type(key);
      const value =
        type === "set" ? (await redis.smembers(key)).sort()
        : type === "zset" ? await redis.zrange(key, 0, -1, "WITHSCORES")
        : type === "hash" ? Object.entries(await redis.hgetall(key)).sort()
        : type === "list" ? await redis.lrange(key, 0, -1)
        : await redis.get(key);
      return [key, type, value, (await redis.pttl(key)) > 0];
    }),
  );
  return JSON.stringify(entries);
}

// ---- arbitraries -------------------------------------------------------------------------------------------------

const notString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));
/** Characters an id must never hold: whitespace, quotes, operators, braces, slashes, globs, NUL, unicode. */
const forbidden = fc.constantFrom(" ", "\n", "\t", "'", '"', "$", "{", "}", "/", "\\", "*", "?", "[", "<", ">", "\u0000", "é", "ключ", "🔑", "\u202e", "東京", "%", "#", ";", ",");
const injectionLike = fc.constantFrom("' OR '1'='1", '{"$ne":null}', "$where", "../../etc/passwd", "*", "acct-*", "<script>alert(1)</script>", "a\r\nX-Injected: 1", "{tag}", "${jndi:ldap://x}", "; DROP TABLE integrations;--", "");
const idChars = fc.constantFrom(..."abcXYZ019_.:@|+=~-".split(""));
/** Strings that are never a valid id: one forbidden character anywhere, empty, over 256 characters, or a leading symbol. */
const badIdString = fc.oneof(
  fc.tuple(fc.string({ unit: idChars, maxLength: 20 }), forbidden, fc.string({ maxLength: 20 })).map(([a, bad, b]) => `${a}${bad}${b}`),
  injectionLike,
  fc.integer({ min: 257, max: 5000 }).map((length) => "a".repeat(length)),
  fc.constant("x".repeat(1024 * 1024)),
  fc.tuple(fc.constantFrom(".", ":", "@", "|", "+", "=", "~", "-"), fc.string({ unit: idChars, maxLength: 10 })).map(([first, rest]) => `${first}${rest}`),
);
const badId = fc.oneof(badIdString, notString, fc.constant(Symbol("id")));
const badProvider = fc.oneof(badIdString, fc.constantFrom("Acme", "ACME", "acme key", "1acme", "acme:key", "acme-🔑"), notString);
const pollutingRecord = fc.constantFrom(
  JSON.parse('{"api_key":"k-1234","__proto__":{"polluted":true}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'),
  { prototype: { polluted: true } },
  { $where: "sleep(1000)" },
  { "a.b": 1 },
  { nested: { deeper: [{ $gt: "" }] } },
  { blob: "x".repeat(70 * 1024) },
  { ["k".repeat(300)]: 1 },
  { n: 10n },
) as fc.Arbitrary<Record<string, unknown>>;
const badRecord = fc.oneof(pollutingRecord, fc.constantFrom("k-1234", 42, null, ["k-1234"], () => ({ api_key: "k" })));
const badApiKey = fc.oneof(notString, fc.constantFrom("", "ключ-1234", "key with space", "k\r\nX: 1", "k".repeat(17 * 1024)));

interface BadCall {
  call: (sdk: SDK) => unknown;
  /** The field the error must name, or the prefix it must start with. */
  field: string;
  prefix?: boolean;
}

const loose = <T>(value: unknown) => value as T;
const idCall = (method: "resolveConnection" | "getConnection" | "describeCredentials" | "invalidateConnection" | "deleteConnection") =>
  badId.map((id): BadCall => ({ call: (target) => target[method](loose(id)), field: `${method}.id` }));

const properties: Record<string, fc.Arbitrary<BadCall>> = {
  resolveConnection: idCall("resolveConnection"),
  getConnection: idCall("getConnection"),
  describeCredentials: idCall("describeCredentials"),
  invalidateConnection: idCall("invalidateConnection"),
  deleteConnection: fc.oneof(
    idCall("deleteConnection"),
    fc.oneof(notString.filter((value) => value !== undefined && value !== null && (typeof value !== "object" || Array.isArray(value) || Object.keys(value).length > 0)), fc.record({ revoke: notString.filter((value) => typeof value !== "boolean" && value !== undefined) }))
      .map((options): BadCall => ({ call: (target) => target.deleteConnection(keyId, loose(options)), field: "deleteConnection.options", prefix: true })),
  ),
  listConnections: fc.oneof(
    badId.map((account): BadCall => ({ call: (target) => target.listConnections(loose({ account_id: account })), field: "listConnections.account_id" })),
    fc.oneof(badIdString, notString).filter((status) => status !== undefined).map((status): BadCall => ({ call: (target) => target.listConnections(loose({ account_id: "acct-1", status })), field: "listConnections.status" })),
    fc.constantFrom("credentials", "$where", "natural_key", "id").map((key): BadCall => ({ call: (target) => target.listConnections(loose({ account_id: "acct-1", [key]: "x" })), field: `listConnections.${key}` })),
  ),
  reencryptConnections: fc.oneof(
    fc.constantFrom("e30", "a b", "").map((cursor): BadCall => ({ call: (target) => target.reencryptConnections({ cursor }), field: "reencryptConnections.cursor" })),
    fc.constantFrom("log", 1, {}).map((onProgress): BadCall => ({ call: (target) => target.reencryptConnections(loose({ onProgress })), field: "reencryptConnections.onProgress" })),
  ),
  backfillNaturalKeys: fc.oneof(
    fc.constantFrom("e30", "a b", "").map((cursor): BadCall => ({ call: (target) => target.backfillNaturalKeys({ cursor }), field: "backfillNaturalKeys.cursor" })),
    fc.oneof(fc.integer({ min: 1001, max: 1_000_000 }), fc.integer({ max: 0 }), fc.constantFrom(1.5, "10", null)).map((limit): BadCall => ({ call: (target) => target.backfillNaturalKeys(loose({ limit })), field: "backfillNaturalKeys.limit" })),
    fc.constantFrom("stop", 1, {}, "credentials").map((signal): BadCall => ({ call: (target) => target.backfillNaturalKeys(loose({ signal })), field: "backfillNaturalKeys.signal" })),
    fc.constantFrom("natural_key", "$where", "account_id").map((key): BadCall => ({ call: (target) => target.backfillNaturalKeys(loose({ [key]: "x" })), field: `backfillNaturalKeys.${key}` })),
  ),
  createConnection: fc.oneof(
    fc.record({ field: fc.constantFrom("account_id", "created_by"), value: badId }).map(({ field, value }): BadCall => ({
      call: (target) => target.createConnection(loose({ provider: "acme-key", account_id: "acct-1", created_by: "user-1", credentials: { api_key: "k-1234" }, [field]: value })),
      field: `createConnection.${field}`,
    })),
    badProvider.map((provider): BadCall => ({ call: (target) => target.createConnection(loose({ provider, account_id: "a", created_by: "u", credentials: { api_key: "k-1234" } })), field: "createConnection.provider" })),
    badRecord.map((credentials): BadCall => ({ call: (target) => target.createConnection(loose({ provider: "acme-key", account_id: "a", created_by: "u", credentials })), field: "createConnection.credentials", prefix: true })),
    badRecord.map((metadata): BadCall => ({ call: (target) => target.createConnection(loose({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: "k-1234" }, metadata })), field: "createConnection.metadata", prefix: true })),
    badApiKey.map((key): BadCall => ({ call: (target) => target.createConnection(loose({ provider: "acme-key", account_id: "a", created_by: "u", credentials: { api_key: key } })), field: "createConnection.credentials", prefix: true })),
    fc.constantFrom(null, "acme-key", 42, [], loose<object>(undefined)).map((draft): BadCall => ({ call: (target) => target.createConnection(loose(draft)), field: "createConnection" })),
  ),
  updateCredentials: fc.oneof(
    badId.map((id): BadCall => ({ call: (target) => target.updateCredentials(loose(id), { api_key: "k-1234" }), field: "updateCredentials.id" })),
    fc.oneof(badRecord, badApiKey.map((key) => ({ api_key: key }))).map((credentials): BadCall => ({ call: (target) => target.updateCredentials(keyId, loose(credentials)), field: "updateCredentials.credentials", prefix: true })),
  ),
  buildInstallUrl: fc.oneof(
    badId.map((user): BadCall => ({ call: (target) => target.buildInstallUrl(loose({ provider: "acme", user_id: user })), field: "buildInstallUrl.user_id" })),
    badProvider.map((provider): BadCall => ({ call: (target) => target.buildInstallUrl(loose({ provider, user_id: "user-1" })), field: "buildInstallUrl.provider" })),
    fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom(" ", "\n", "\t"), fc.string({ maxLength: 10 })).map(([a, space, b]): BadCall => ({
      call: (target) => target.buildInstallUrl({ provider: "acme", user_id: "user-1", scopes: ["read", `${a}${space}${b}`] }),
      field: "buildInstallUrl.scopes[1]",
    })),
  ),
  handleInstallCallback: fc.oneof(
    fc.oneof(notString.filter((value) => value !== undefined && value !== null), fc.constant("")).map((code): BadCall => ({ call: (target) => target.handleInstallCallback(loose<{ provider: string }>({ provider: "acme", code, state: "s" })), field: "handleInstallCallback.code" })),
    fc.integer({ min: 8193, max: 50_000 }).map((length): BadCall => ({ call: (target) => target.handleInstallCallback({ provider: "acme", code: "c", state: "s", browser_binding: "b".repeat(length) }), field: "handleInstallCallback.browser_binding" })),
    badProvider.map((provider): BadCall => ({ call: (target) => target.handleInstallCallback(loose<{ provider: string }>({ provider, code: "c", state: "s" })), field: "handleInstallCallback.provider" })),
  ),
  completeSiteSelection: fc.oneof(
    fc.oneof(badIdString.filter((value) => !/^[a-z][a-z0-9_-]*\.[\w-]+$/.test(value)), notString).map((selection): BadCall => ({ call: (target) => target.completeSiteSelection(loose({ selection_id: selection, cloud_id: "c" })), field: "completeSiteSelection.selection_id" })),
    badId.map((cloud): BadCall => ({ call: (target) => target.completeSiteSelection(loose({ selection_id: "acme.abc", cloud_id: cloud })), field: "completeSiteSelection.cloud_id" })),
  ),
  handleWebhook: fc.oneof(
    notString.filter((value) => typeof value !== "string").map((body): BadCall => ({ call: (target) => target.handleWebhook(loose({ provider: "acme", headers: {}, body })), field: "handleWebhook.body" })),
    fc.constantFrom("x", 42, null, ["a"]).map((headers): BadCall => ({ call: (target) => target.handleWebhook(loose({ provider: "acme", headers, body: "{}" })), field: "handleWebhook.headers" })),
    fc.constantFrom("__proto__x", "extra", "$where").map((key): BadCall => ({ call: (target) => target.handleWebhook(loose({ provider: "acme", headers: {}, body: "{}", [key]: 1 })), field: `handleWebhook.${key}` })),
  ),
  fetch: fc.oneof(
    badId.map((id): BadCall => ({ call: (target) => target.fetch(loose(id), "/x"), field: "fetch.id" })),
    fc.oneof(notString, fc.constant(""), fc.constant("/".repeat(9000))).map((path): BadCall => ({ call: (target) => target.fetch(keyId, loose(path)), field: "fetch.path" })),
    fc.constantFrom("https://evil.example/steal", "HTTP://evil.example/x", "https://127.0.0.2/x", "http://127.0.0.1:1/x").map((path): BadCall => ({ call: (target) => target.fetch(oauthId, path), field: "fetch.path" })),
    // Dot segments, raw or percent-encoded, never leave the base path (no request is sent).
    fc.tuple(fc.constantFrom("..", "%2e%2e", "%2E.", ".%2e", "%252e%252e", "."), fc.string({ maxLength: 8 }).filter((tail) => !/[?#]/.test(tail))).map(([dots, tail]): BadCall => ({ call: (target) => target.fetch(oauthId, `/${dots}/${tail}`), field: "fetch.path" })),
    fc.tuple(fc.constantFrom("X-Trace", "X-A"), fc.constantFrom("a\r\nb", "a\nSet-Cookie: x", "\u0000")).map(([name, value]): BadCall => ({ call: (target) => target.fetch(keyId, "/x", { headers: { [name]: value } }), field: "fetch.init.headers" })),
  ),
  fetcher: fc.oneof(
    badId.map((id): BadCall => ({ call: (target) => Promise.resolve().then(() => target.fetcher(loose(id))), field: "fetcher.id" })),
    fc.constantFrom("https://evil.example/steal", "http://127.0.0.1:1/x").map((url): BadCall => ({ call: (target) => target.fetcher(oauthId)(new Request(url, { method: "POST", body: "x" })), field: "fetch.path" })),
  ),
  tokenSource: fc.oneof(
    badId.map((id): BadCall => ({ call: (target) => Promise.resolve().then(() => target.tokenSource(loose(id))), field: "tokenSource.id" })),
    fc.oneof(fc.constant(""), fc.integer(), fc.constant(null), fc.constant(["t"])).map((refused): BadCall => ({ call: (target) => target.tokenSource(oauthId).onUnauthorized(loose(refused)), field: "tokenSource.onUnauthorized.refused" })),
  ),
  getPendingInstall: fc.oneof(notString, badIdString.filter((value) => !/^[a-z][a-z0-9_-]*\.[\w-]+$/.test(value))).map((pending): BadCall => ({
    call: (target) => target.getPendingInstall(loose({ pending_install_id: pending })),
    field: "getPendingInstall.pending_install_id",
  })),
  confirmPendingInstall: fc.oneof(
    fc.oneof(notString, badIdString.filter((value) => !/^[a-z][a-z0-9_-]*\.[\w-]+$/.test(value))).map((pending): BadCall => ({
      call: (target) => target.confirmPendingInstall(loose({ pending_install_id: pending, user_id: "user-1", account_id: "acct-1" })),
      field: "confirmPendingInstall.pending_install_id",
    })),
    fc.record({ field: fc.constantFrom("user_id", "account_id"), value: badId }).map(({ field, value }): BadCall => ({
      call: (target) => target.confirmPendingInstall(loose({ pending_install_id: "acme.abc", user_id: "user-1", account_id: "acct-1", [field]: value })),
      field: `confirmPendingInstall.${field}`,
    })),
  ),
  scanConnections: fc.oneof(
    badId.filter((value) => value !== undefined).map((account): BadCall => ({ call: (target) => target.scanConnections(loose({ account_id: account })), field: "scanConnections.account_id" })),
    fc.oneof(fc.integer({ min: 1001, max: 1_000_000 }), fc.integer({ max: 0 }), fc.constantFrom(1.5, "10", null, Number.NaN)).map((limit): BadCall => ({ call: (target) => target.scanConnections(loose({ limit })), field: "scanConnections.limit" })),
    fc.constantFrom("credentials", "$where", "natural_key").map((key): BadCall => ({ call: (target) => target.scanConnections(loose({ [key]: "x" })), field: `scanConnections.${key}` })),
  ),
  refreshDue: fc.oneof(
    fc.oneof(fc.integer({ max: -1 }), fc.constantFrom(1.5, "60000", null, Number.NaN)).map((within): BadCall => ({ call: (target) => target.refreshDue(loose({ within })), field: "refreshDue.within" })),
    fc.constantFrom("credentials", "$where", "account_id").map((key): BadCall => ({ call: (target) => target.refreshDue(loose({ within: 60_000, [key]: "x" })), field: `refreshDue.${key}` })),
  ),
  checkHealth: fc.oneof(
    fc.oneof(fc.integer({ max: 49 }), fc.integer({ min: 60_001 }), fc.constantFrom(1.5, "2000", null, Number.NaN)).map((timeoutMs): BadCall => ({ call: (target) => target.checkHealth(loose({ timeoutMs })), field: "checkHealth.timeoutMs" })),
    fc.constantFrom("credentials", "$where", "store").map((key): BadCall => ({ call: (target) => target.checkHealth(loose({ [key]: "x" })), field: `checkHealth.${key}` })),
  ),
  "events.on": fc.oneof(
    fc.oneof(badIdString, fc.constantFrom("connection.created", "token.*", "__proto__")).map((name): BadCall => ({ call: (target) => target.events.on(loose<"connection.deleted">(name), () => undefined), field: "events.on.name" })),
    fc.oneof(notString, fc.constant("log")).map((handler): BadCall => ({ call: (target) => target.events.on("connection.deleted", loose(handler)), field: "events.on.handler" })),
  ),
};

describe(`hostile input against the Redis-backed SDK (fast-check, ${RUNS} runs per method)`, () => {
  it("covers every public method of the SDK", () => {
    const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(sdk)).filter((name) => !["constructor", "providerIds", "close"].includes(name));
    expect(methods.filter((method) => !(method in properties))).toEqual([]);
  });

  it.each(Object.keys(properties))("%s: validation_failed naming the field, no write, no provider call, no crash", async (method) => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(properties[method]!, async ({ call, field, prefix }) => {
        const providerCalls = server.log.length;
        let failure: unknown;
        try {
          await call(sdk);
        } catch (error) {
          failure = error;
        }
        expect(SdkError.is(failure, "validation_failed"), `expected validation_failed, got ${failure instanceof Error ? `${failure.name}: ${failure.message.slice(0, 200)}` : String(failure)}`).toBe(true);
        const error = failure as SdkError;
        if (prefix) expect(String(error.details.field).startsWith(field), `field ${String(error.details.field)}`).toBe(true);
        else expect(error.details.field).toBe(field);
        expect(error.message).toContain(`"${String(error.details.field)}"`);
        expect(error.retryable).toBe(false);
        expect(JSON.stringify(error.toJSON())).not.toContain(API_KEY);
        expect(server.log.length).toBe(providerCalls);
        expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
        expect(await snapshot()).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });

  it("ids that pass validation but name nothing (__proto__, constructor, operators as plain text) are integration_not_found and write nothing", async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty"), fc.string({ unit: idChars, minLength: 1, maxLength: 40 }).filter((id) => /^[A-Za-z0-9_]/.test(id))), async (id) => {
        await expect(sdk.resolveConnection(id)).rejects.toMatchObject({ code: "integration_not_found" });
        await expect(sdk.getConnection(id)).rejects.toMatchObject({ code: "integration_not_found" });
        expect(await sdk.deleteConnection(id)).toEqual({ deleted: false, revoked: false });
        expect(await snapshot()).toBe(before);
      }),
      { numRuns: RUNS },
    );
    // The seeded connections still work after all of it.
    expect((await sdk.resolveConnection(keyId)).api_key).toBe(API_KEY);
    expect((await sdk.resolveConnection(oauthId)).access_token).toMatch(/^at_/);
  });
});
