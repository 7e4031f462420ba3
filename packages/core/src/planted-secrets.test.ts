// The planted-secret scan (DESIGN section 9): known secrets go in through every path, happy and failing, and every
// thrown error (message, details, cause chain as a logger would print it), every event payload and every log line
// is searched for them. One hit anywhere fails the test and names where it was found.
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createSDK, type SDK } from "./create-sdk.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import { defineBasicProvider } from "./define-basic-provider.js";
import { defineMappedCredentialsProvider } from "./define-mapped-credentials-provider.js";
import type { Integration } from "./integration.js";
import { MemoryCache } from "./memory-cache.js";
import { MemoryStore } from "./memory-store.js";
import type { SdkOptions } from "./sdk-options.js";
import { SDK_EVENT_NAMES } from "./sdk-events.js";
import { fakeOAuthProvider } from "../test/fake-oauth-provider.js";
import { failingCache, failingStore } from "../test/failing-stores.js";
import { startLocalApi, type LocalApiServer } from "../test/local-api-server.js";
import { recordingLogger } from "../test/recording-logger.js";
import { KEY_1, KEY_2, STATE_SECRETS } from "../test/sdk-fixture.js";

const PLANTED = {
  apiKey: "PLANTED-api-key-5f1c9a7e",
  apiKey2: "PLANTED-api-key-rotated-82b1",
  password: "PLANTED-password-c0ffee42",
  basicHeader: Buffer.from("scan-user:PLANTED-password-c0ffee42").toString("base64"),
  mappedSecret: "PLANTED-mapped-secret-77aa",
  refreshToken: "PLANTED-refresh-token-91d3",
  accessToken: "PLANTED-access-token",
  legacyKey: "PLANTED-legacy-1x-key-4e4e",
  stateSecret: "PLANTED-state-secret-0123456789abcdef",
  encryptionKey: KEY_1.key,
  rotatedKey: KEY_2.key,
};

const texts: Array<{ where: string; text: string }> = [];
let api: LocalApiServer;

function collectError(where: string, error: unknown): void {
  // inspect() prints what a logger prints for an error: message, stack, own fields and the whole cause chain.
  texts.push({ where: `${where} (inspect)`, text: inspect(error, { depth: 20 }) });
  texts.push({ where: `${where} (JSON)`, text: JSON.stringify(error) ?? "" });
  let cause: unknown = error;
  for (let depth = 0; cause instanceof Error && depth < 10; depth++) {
    texts.push({ where: `${where} (cause ${depth})`, text: `${cause.message}\n${cause.stack}\n${JSON.stringify((cause as { details?: unknown }).details ?? {})}` });
    cause = cause.cause;
  }
}

/** Runs a call that may fail; records the failure. Returns the result or undefined. */
async function attempt<T>(where: string, call: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    collectError(where, error);
    return undefined;
  }
}

function observed(sdk: SDK, where: string): SDK {
  for (const name of SDK_EVENT_NAMES) sdk.events.on(name, (payload) => void texts.push({ where: `${where} event ${name}`, text: JSON.stringify(payload) }));
  return sdk;
}

function laxProvider() {
  // A mapped provider whose schema lets a header-breaking value through, so fetch meets it at the Headers boundary.
  return defineMappedCredentialsProvider({ id: "lax", baseUrl: api.url, schema: z.object({ token: z.string() }), map: (credentials) => ({ headers: { "X-Token": credentials.token } }) });
}

beforeAll(async () => {
  api = await startLocalApi();
  api.handle((request) => (request.headers.authorization === `Bearer ${PLANTED.accessToken}-1` ? { status: 401, body: "{}" } : { status: 200, body: '{"ok":true}' }));
});
afterAll(() => api.close());

describe("planted-secret scan", () => {
  it("no planted secret appears in any error, event payload or log line, on any path", async () => {
    const logger = recordingLogger();
    const store = new MemoryStore();
    const cache = new MemoryCache();
    const oauth = fakeOAuthProvider({ apiBaseUrl: api.url, tokenPrefix: PLANTED.accessToken });
    const providers = () => [
      defineApiKeyProvider({ id: "scan-key", baseUrl: api.url }),
      defineMappedCredentialsProvider({
        id: "scan-mapped",
        baseUrl: api.url,
        schema: z.strictObject({ key_id: z.string().regex(/^[\w-]+$/), key_secret: z.string().min(8).regex(/^[\x21-\x7e]+$/) }),
        map: (credentials) => ({ headers: { "X-Key-Id": credentials.key_id, "X-Key-Secret": credentials.key_secret } }),
      }),
      defineBasicProvider({ id: "scan-basic", baseUrl: api.url }),
      laxProvider(),
      oauth,
    ];
    const options = (keys = [KEY_1]): SdkOptions => ({
      store,
      cache,
      logger,
      state: { secrets: [{ id: "s1", secret: PLANTED.stateSecret }] },
      encryption: { keys },
      providers: providers(),
    });
    const sdk = observed(createSDK(options()), "main");

    // Construction failures that carry secrets in the options.
    const legacy = createSDK as unknown as (...args: unknown[]) => unknown;
    await attempt("legacy call", () => legacy(store, { cacheStorage: cache, atlassian: { clientSecret: PLANTED.stateSecret } }));
    await attempt("short state secret", () => createSDK({ ...options(), state: { secrets: [{ id: "s1", secret: PLANTED.password }] } }));
    await attempt("encryption key too short", () => createSDK({ ...options(), encryption: { keys: [{ id: "k1", key: Buffer.from(PLANTED.password).toString("base64") }] } }));
    await attempt("encryption key id bad", () => createSDK({ ...options(), encryption: { keys: [{ id: PLANTED.password + " x", key: KEY_1.key }] } }));

    // Happy paths of every strategy.
    const key = (await sdk.createConnection({ provider: "scan-key", account_id: "acct-scan", created_by: "u", credentials: { api_key: PLANTED.apiKey } }))!;
    const basic = (await sdk.createConnection({ provider: "scan-basic", account_id: "acct-scan", created_by: "u", credentials: { username: "scan-user", password: PLANTED.password } }))!;
    const mapped = (await sdk.createConnection({ provider: "scan-mapped", account_id: "acct-scan", created_by: "u", credentials: { key_id: "kid-1", key_secret: PLANTED.mappedSecret } }))!;
    const oauthConnection = await sdk.createConnection({ provider: "fake-oauth", account_id: "acct-scan", created_by: "u", credentials: { refresh_token: PLANTED.refreshToken }, metadata: { cloud_id: "cloud-scan" } });
    for (const id of [key.id, basic.id, mapped.id, oauthConnection.id]) {
      await sdk.resolveConnection(id);
      expect((await sdk.fetch(id, "/me")).status).toBe(200);
    }
    await sdk.getConnection(key.id);
    await sdk.listConnections({ account_id: "acct-scan" });
    await sdk.updateCredentials(key.id, { api_key: PLANTED.apiKey2 });
    await sdk.invalidateConnection(oauthConnection.id);
    await sdk.createConnection({ provider: "fake-oauth", account_id: "acct-scan", created_by: "u", credentials: { refresh_token: PLANTED.refreshToken }, metadata: { cloud_id: "cloud-scan" } });
    await sdk.buildInstallUrl({ provider: "fake-oauth", user_id: "u" });
    await sdk.handleInstallCallback({ provider: "fake-oauth", code: PLANTED.refreshToken, state: "s" });

    // Validation failures whose input holds a secret.
    const bad: Array<[string, () => Promise<unknown>]> = [
      ["extra credential field", () => sdk.createConnection({ provider: "scan-key", account_id: "a", created_by: "u", credentials: { api_key: PLANTED.apiKey, api_secret: PLANTED.password } })],
      ["api key with CRLF", () => sdk.createConnection({ provider: "scan-key", account_id: "a", created_by: "u", credentials: { api_key: `${PLANTED.apiKey}\r\nX: 1` } })],
      ["api key too long", () => sdk.createConnection({ provider: "scan-key", account_id: "a", created_by: "u", credentials: { api_key: PLANTED.apiKey.repeat(800) } })],
      ["api key wrong type", () => sdk.createConnection({ provider: "scan-key", account_id: "a", created_by: "u", credentials: { api_key: [PLANTED.apiKey] } })],
      ["credentials with __proto__", () => sdk.createConnection({ provider: "scan-key", account_id: "a", created_by: "u", credentials: JSON.parse(`{"api_key":"${PLANTED.apiKey}","__proto__":{"x":"${PLANTED.password}"}}`) as Record<string, unknown> })],
      ["username with a colon", () => sdk.createConnection({ provider: "scan-basic", account_id: "a", created_by: "u", credentials: { username: `u:${PLANTED.password}`, password: PLANTED.password } })],
      ["password with NUL", () => sdk.createConnection({ provider: "scan-basic", account_id: "a", created_by: "u", credentials: { username: "u", password: `${PLANTED.password}\u0000` } })],
      ["mapped secret with a space", () => sdk.createConnection({ provider: "scan-mapped", account_id: "a", created_by: "u", credentials: { key_id: "k", key_secret: `${PLANTED.mappedSecret} x` } })],
      ["secret as account_id", () => sdk.createConnection({ provider: "scan-key", account_id: `${PLANTED.apiKey} `, created_by: "u", credentials: { api_key: PLANTED.apiKey } })],
      ["metadata base_url", () => sdk.createConnection({ provider: "scan-key", account_id: "a", created_by: "u", credentials: { api_key: PLANTED.apiKey }, metadata: { base_url: `javascript:${PLANTED.apiKey}` } })],
      ["auth_type mismatch", () => sdk.createConnection({ provider: "scan-key", account_id: "a", created_by: "u", auth_type: "basic", credentials: { api_key: PLANTED.apiKey } })],
      ["unknown provider", () => sdk.createConnection({ provider: "nope", account_id: "a", created_by: "u", credentials: { api_key: PLANTED.apiKey } })],
      ["updateCredentials wrong shape", () => sdk.updateCredentials(key.id, { api_key: PLANTED.apiKey, other: PLANTED.password })],
      ["updateCredentials on OAuth", () => sdk.updateCredentials(oauthConnection.id, { refresh_token: PLANTED.refreshToken })],
      ["secret as an id", () => sdk.resolveConnection(`${PLANTED.apiKey}/x`)],
      ["secret in a caller header", () => sdk.fetch(key.id, "/me", { headers: { "X-Caller": `${PLANTED.password}\r\nX: 1` } })],
      ["another origin", () => sdk.fetch(key.id, `https://evil.example/?k=x`)],
      ["callback with a secret binding", () => sdk.handleInstallCallback({ provider: "fake-oauth", code: PLANTED.refreshToken, state: "s", browser_binding: PLANTED.stateSecret.repeat(300) })],
    ];
    for (const [where, call] of bad) expect(await attempt(where, call)).toBeUndefined();

    // A credential that breaks the Headers boundary at fetch time.
    const lax = await sdk.createConnection({ provider: "lax", account_id: "a", created_by: "u", credentials: { token: `${PLANTED.apiKey}\r\nX: 1` } });
    expect(await attempt("header-breaking credential", () => sdk.fetch(lax.id, "/me"))).toBeUndefined();

    // Tampering: a moved envelope and a retired key.
    const moved = (await store.get(key.id))!.credentials.api_key;
    const raw = (await store.get(mapped.id))!;
    await store.update(mapped.id, { credentials: { ...raw.credentials, key_secret: moved }, updated_at: new Date().toISOString() }, { expectedVersion: raw.version });
    expect(await attempt("moved envelope", () => sdk.resolveConnection(mapped.id))).toBeUndefined();
    const retiredKey = observed(createSDK(options([KEY_2])), "retired key");
    expect(await attempt("unknown kid", () => retiredKey.resolveConnection(basic.id))).toBeUndefined();

    // Rotation and a 1.x plaintext record upgraded (both log).
    const rotated = observed(createSDK(options([KEY_2, KEY_1])), "rotated");
    await rotated.resolveConnection(basic.id);
    await store.create({ id: "legacy-scan", provider: "scan-key", account_id: "acct-scan", auth_type: "api_key", credentials: { api_key: PLANTED.legacyKey } } as unknown as Integration);
    expect(await attempt("plaintext refused (requireEncrypted)", () => rotated.resolveConnection("legacy-scan"))).toBeUndefined();
    const migrating = observed(createSDK({ ...options(), encryption: { keys: [KEY_2, KEY_1], requireEncrypted: false } }), "migrating");
    await migrating.resolveConnection("legacy-scan");

    // Statuses.
    await store.update(oauthConnection.id, { status: "needs_reauth", updated_at: new Date().toISOString() }, { expectedVersion: (await store.get(oauthConnection.id))!.version });
    expect(await attempt("needs_reauth", () => sdk.fetch(oauthConnection.id, "/me"))).toBeUndefined();

    // Outages whose driver errors quote what they were given (plaintext mode, so the store sees the secrets).
    const echo = (operation: string, args: unknown[]) => Object.assign(new Error(`${operation} failed for ${JSON.stringify(args)}`), { command: { args } });
    const plainEcho = observed(createSDK({ store: failingStore(echo), providers: [defineApiKeyProvider({ id: "scan-key" })], encryption: { plaintext: true }, logger }), "plaintext echo store");
    expect(await attempt("echoing store, create", () => plainEcho.createConnection({ provider: "scan-key", account_id: "a", created_by: "u", credentials: { api_key: PLANTED.apiKey } }))).toBeUndefined();
    const echoStoreRecords = new MemoryStore();
    const seededSdk = createSDK({ store: echoStoreRecords, providers: [defineApiKeyProvider({ id: "scan-key" })], encryption: { plaintext: true }, logger });
    const seeded = await seededSdk.createConnection({ provider: "scan-key", account_id: "a", created_by: "u", credentials: { api_key: PLANTED.apiKey } });
    const updateEcho = Object.assign(Object.create(null) as Record<string, unknown>, {
      get: (id: string) => echoStoreRecords.get(id),
      list: (filter: never) => echoStoreRecords.list(filter),
      create: (record: Integration) => echoStoreRecords.create(record),
      delete: (id: string) => echoStoreRecords.delete(id),
      update: (...args: unknown[]) => Promise.reject(echo("update", args)),
    });
    const updating = observed(createSDK({ store: updateEcho as never, providers: [defineApiKeyProvider({ id: "scan-key" })], encryption: { plaintext: true }, logger }), "update echo");
    expect(await attempt("echoing store, update", () => updating.updateCredentials(seeded.id, { api_key: PLANTED.apiKey2 }))).toBeUndefined();
    const cacheEcho = observed(
      createSDK({ store: new MemoryStore(), cache: { ...failingCache(echo), get: async () => undefined }, state: { secrets: STATE_SECRETS }, encryption: { plaintext: true }, providers: [fakeOAuthProvider({ tokenPrefix: PLANTED.accessToken })], logger }),
      "cache echo",
    );
    const cached = await cacheEcho.createConnection({ provider: "fake-oauth", account_id: "a", created_by: "u", credentials: { refresh_token: PLANTED.refreshToken }, metadata: { cloud_id: "c" } });
    expect(await attempt("echoing cache, set", () => cacheEcho.resolveConnection(cached.id))).toBeUndefined();

    // Events whose handlers throw messages with secrets, then deletion with revoke.
    sdk.events.on("connection.deleted", () => {
      throw new Error(PLANTED.password);
    });
    await sdk.deleteConnection(oauthConnection.id, { revoke: true });
    await sdk.deleteConnection(key.id);

    for (const line of logger.lines) texts.push({ where: `log ${line.level} "${line.message}"`, text: `${line.message} ${JSON.stringify(line.fields)}` });

    const leaks = texts.flatMap(({ where, text }) =>
      Object.entries(PLANTED)
        .filter(([, secret]) => text.includes(secret))
        .map(([name]) => `${name} in ${where}`),
    );
    expect(leaks).toEqual([]);

    // The scan must have seen the failing paths it claims to cover.
    expect(texts.filter((entry) => entry.where.endsWith("(inspect)")).length).toBeGreaterThanOrEqual(bad.length + 10);
    expect(texts.some((entry) => entry.where.startsWith("log"))).toBe(true);
    expect(texts.some((entry) => entry.where.includes("event connection.deleted"))).toBe(true);
    expect(texts.some((entry) => entry.text.includes("message withheld"))).toBe(true);
  });
});
