// sdk.checkHealth(): each probe's verdict (store, cache, encryption, provider hosts), bounded by its timeout, with no
// secret in the answer; a bad input is validation_failed. The Redis findings are tested in @sdk/storage-redis.
import { describe, expect, it } from "vitest";
import { createSDK } from "./create-sdk.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import { MemoryCache } from "./memory-cache.js";
import { MemoryStore } from "./memory-store.js";
import { SdkError } from "./sdk-error.js";
import { testEncryptionKey } from "./test-encryption-key.js";
import { failingCache, failingStore } from "../test/failing-stores.js";

const key = testEncryptionKey("k-health");
const plantedApiKey = "sk_live_planted_health_5e0d";

function sdkWith(overrides: Partial<Parameters<typeof createSDK>[0]> = {}) {
  return createSDK({
    store: new MemoryStore(),
    cache: new MemoryCache(),
    encryption: { keys: [key, testEncryptionKey("k-old")] },
    providers: [
      defineApiKeyProvider({ id: "local", baseUrl: "http://127.0.0.1:9/api" }),
      defineApiKeyProvider({ id: "named", baseUrl: "http://localhost:9/api" }),
      // RFC 6761 section 6.4: names under .invalid never resolve.
      defineApiKeyProvider({ id: "nowhere", baseUrl: "https://api.sdk-health-check.invalid/v1" }),
      defineApiKeyProvider({ id: "nourl" }),
    ],
    now: () => Date.parse("2026-11-30T12:00:00.000Z"),
    ...overrides,
  });
}

describe("sdk.checkHealth()", () => {
  it("passes the stores and encryption, resolves provider hosts, and warns for a host that does not resolve", async () => {
    const sdk = sdkWith();
    await sdk.createConnection({ provider: "local", account_id: "acct-1", created_by: "user-1", credentials: { api_key: plantedApiKey } });
    const report = await sdk.checkHealth();
    expect(report.checked_at).toBe("2026-11-30T12:00:00.000Z");
    const byComponent = Object.fromEntries(report.checks.map((check) => [`${check.component}/${check.name}`, check]));
    expect(byComponent["store/reachable"]).toMatchObject({ status: "pass" });
    expect(byComponent["cache/reachable"]).toMatchObject({ status: "pass" });
    expect(byComponent["encryption/keys"]).toMatchObject({ status: "pass", details: { primary_key_id: "k-health", key_ids: "k-health,k-old" } });
    expect(byComponent["provider:local/endpoints-resolvable"]).toMatchObject({ status: "pass" });
    expect(byComponent["provider:named/endpoints-resolvable"]).toMatchObject({ status: "pass", output: "resolved localhost" });
    expect(byComponent["provider:nowhere/endpoints-resolvable"]).toMatchObject({ status: "warn", code: "provider_unavailable", details: { hosts: "api.sdk-health-check.invalid" } });
    // A provider with no fixed endpoint has nothing to check.
    expect(report.checks.some((check) => check.component === "provider:nourl")).toBe(false);
    // A host that does not resolve is a warning: the instance stays ready for every other provider.
    expect(report.status).toBe("warn");
    for (const check of report.checks) expect(check.duration_ms).toBeGreaterThanOrEqual(0);
    const text = JSON.stringify(report);
    expect(text).not.toContain(plantedApiKey);
    expect(text).not.toContain(key.key);
  });

  it("fails when the store or the cache does not answer, naming the code and not the driver's message", async () => {
    const leaky = () => new Error("connect ECONNREFUSED with password hunter2-planted");
    const sdk = sdkWith({ store: failingStore(leaky), cache: failingCache(() => new SdkError("cache_unavailable", "The cache failed.")) });
    const report = await sdk.checkHealth();
    expect(report.status).toBe("fail");
    expect(report.checks.find((check) => check.component === "store")).toMatchObject({ status: "fail", code: "store_unavailable", output: "The store failed a probe read (Error)." });
    expect(report.checks.find((check) => check.component === "cache")).toMatchObject({ status: "fail", code: "cache_unavailable" });
    expect(JSON.stringify(report)).not.toContain("hunter2-planted");
  });

  it("fails a probe that does not answer within timeoutMs", async () => {
    const hanging = new MemoryStore();
    hanging.get = () => new Promise(() => undefined);
    const started = Date.now();
    const report = await sdkWith({ store: hanging }).checkHealth({ timeoutMs: 100 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(report.checks.find((check) => check.component === "store")).toMatchObject({ status: "fail", code: "store_unavailable", output: "The store failed a probe read (no answer in time)." });
  });

  it("reports a store's own findings when it implements checkHealth", async () => {
    const store = new MemoryStore();
    Object.assign(store, { checkHealth: async () => [{ name: "maxmemory-policy", status: "fail" as const, code: "misconfigured", output: "policy allkeys-lru", details: { setting: "maxmemory-policy", value: "allkeys-lru" } }] });
    const report = await sdkWith({ store }).checkHealth();
    expect(report.status).toBe("fail");
    expect(report.checks.find((check) => check.component === "store")).toMatchObject({ name: "maxmemory-policy", code: "misconfigured" });
  });

  it("warns under encryption.plaintext and has no cache check without a cache", async () => {
    const report = await sdkWith({ encryption: { plaintext: true }, cache: undefined }).checkHealth();
    expect(report.checks.find((check) => check.component === "encryption")).toMatchObject({ status: "warn" });
    expect(report.checks.some((check) => check.component === "cache")).toBe(false);
  });

  it("refuses a bad input with validation_failed naming the field", async () => {
    const sdk = sdkWith();
    for (const input of [{ timeoutMs: -1 }, { timeoutMs: 1.5 }, { timeoutMs: "100" }, { other: 1 }, "x"]) {
      const error = await sdk.checkHealth(input as never).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(SdkError.is(error, "validation_failed")).toBe(true);
      expect((error as SdkError).details.field).toMatch(/^checkHealth/);
    }
  });
});
