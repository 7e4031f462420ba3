import { SdkError } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../test/harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function expired(h: Harness) {
  const { integrationId } = await h.install();
  const before = (await h.store.get(integrationId))!;
  h.clock.advance(3600 * 1000);
  return { integrationId, before };
}

async function attempt(h: Harness, id: string) {
  return h.sdk.resolveConnection(id).then(
    (runtime) => ({ ok: true as const, runtime }),
    (error: unknown) => ({ ok: false as const, error: error as SdkError }),
  );
}

describe("provider faults during refresh: calls made, error returned, stored state", () => {
  it("retries a 5xx burst shorter than the attempts and succeeds", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await expired(h);
    h.server.fault("token", { kind: "status", status: 503 }, 2);
    const result = await attempt(h, integrationId);
    expect(result.ok).toBe(true);
    expect(h.server.counters.token).toBe(1 + 3);
    expect(h.server.stats.refreshes).toBe(1);
  });

  it("a 5xx burst longer than the attempts is provider_unavailable (retryable) and leaves the record untouched", async () => {
    const h = (harness = await startHarness());
    const { integrationId, before } = await expired(h);
    h.server.fault("token", { kind: "status", status: 500 }, 10);
    const result = await attempt(h, integrationId);
    expect(result.ok).toBe(false);
    expect(SdkError.is(result.ok ? undefined : result.error, "provider_unavailable")).toBe(true);
    expect(result.ok ? false : result.error.retryable).toBe(true);
    expect(h.server.counters.token).toBe(1 + 3);
    expect(await h.store.get(integrationId)).toEqual(before);
  });

  it("honours Retry-After on 429 and then succeeds", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await expired(h);
    h.server.fault("token", { kind: "rate_limit", retryAfterSeconds: 1 }, 1);
    const started = Date.now();
    const result = await attempt(h, integrationId);
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("a Retry-After longer than the longest wait is provider_rate_limited at once, record untouched", async () => {
    const h = (harness = await startHarness());
    const { integrationId, before } = await expired(h);
    h.server.fault("token", { kind: "rate_limit", retryAfterSeconds: 120 }, 5);
    const result = await attempt(h, integrationId);
    expect(SdkError.is(result.ok ? undefined : result.error, "provider_rate_limited")).toBe(true);
    expect(result.ok ? undefined : result.error.details.retry_after_ms).toBe(120_000);
    expect(h.server.counters.token).toBe(2);
    expect(await h.store.get(integrationId)).toEqual(before);
  });

  it("a slow answer past the deadline is provider_unavailable with reason timeout", async () => {
    const h = (harness = await startHarness({ provider: { timeoutMs: 150, retry: { attempts: 2, baseDelayMs: 5 } } }));
    const { integrationId, before } = await expired(h);
    h.server.fault("token", { kind: "delay", ms: 400 }, 2);
    const result = await attempt(h, integrationId);
    expect(SdkError.is(result.ok ? undefined : result.error, "provider_unavailable")).toBe(true);
    expect(result.ok ? undefined : result.error.details.reason).toBe("timeout");
    expect(await h.store.get(integrationId)).toEqual(before);
  });

  it("does not retry a refresh after a timeout when the provider has no reuse window", async () => {
    const h = (harness = await startHarness({ provider: { timeoutMs: 150, refreshReuseWindow: false, retry: { attempts: 3, baseDelayMs: 5 } } }));
    const { integrationId } = await expired(h);
    h.server.fault("token", { kind: "delay", ms: 400 }, 3);
    const result = await attempt(h, integrationId);
    expect(SdkError.is(result.ok ? undefined : result.error, "provider_unavailable")).toBe(true);
    expect(h.server.counters.token).toBe(2);
  });

  it("a malformed body is provider_response_invalid, not retried, record untouched", async () => {
    const h = (harness = await startHarness());
    const { integrationId, before } = await expired(h);
    h.server.fault("token", { kind: "malformed" }, 1);
    const result = await attempt(h, integrationId);
    expect(SdkError.is(result.ok ? undefined : result.error, "provider_response_invalid")).toBe(true);
    expect(h.server.counters.token).toBe(2);
    expect(await h.store.get(integrationId)).toEqual(before);
    expect((await h.sdk.getConnection(integrationId)).status).toBe("active");
  });

  it("a 200 body missing access_token names the field", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await expired(h);
    h.server.fault("token", { kind: "status", status: 200, body: { token_type: "Bearer" } }, 1);
    const result = await attempt(h, integrationId);
    expect(SdkError.is(result.ok ? undefined : result.error, "provider_response_invalid")).toBe(true);
    expect(result.ok ? "" : result.error.message).toContain('"access_token"');
  });

  it("invalid_client is not retried and does not mark the integration needs_reauth", async () => {
    const h = (harness = await startHarness({ provider: { clientSecret: "wrong-secret" } }));
    const started = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await h.server.consent(started.url));
    const error = await h.sdk
      .handleInstallCallback({ provider: "acme", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: started.browser_binding })
      .catch((caught: unknown) => caught);
    expect(SdkError.is(error, "invalid_client")).toBe(true);
    expect(h.server.counters.token).toBe(1);
  });

  it("a failed refresh is remembered briefly: concurrent waiters get the error without calling the provider again", async () => {
    const h = (harness = await startHarness({ provider: { retry: { attempts: 1 } } }));
    const { integrationId } = await expired(h);
    h.server.fault("token", { kind: "status", status: 503 }, 100);
    const results = await Promise.all(Array.from({ length: 20 }, () => attempt(h, integrationId)));
    expect(results.every((result) => !result.ok && SdkError.is(result.error, "provider_unavailable"))).toBe(true);
    expect(h.server.counters.token).toBe(2);
  });
});

describe("a rotated refresh token the store failed to record is not lost", () => {
  it("the next refresh finds it in the journal, repairs the record and refreshes with it, even with no reuse window", async () => {
    const { MemoryStore } = await import("@sdk/core");
    const memory = new MemoryStore();
    let failCredentialWrites = false;
    // Fault injection around the real MemoryStore: credential writes fail until the holder's lease is over.
    const store = {
      get: memory.get.bind(memory),
      create: memory.create.bind(memory),
      delete: memory.delete.bind(memory),
      list: memory.list.bind(memory),
      update: async (...args: Parameters<typeof memory.update>) => {
        if (failCredentialWrites && args[1].credentials) throw new Error("store went away");
        return memory.update(...args);
      },
    };
    const h = (harness = await startHarness({ store, server: { reuseWindowMs: 0 }, provider: { lockLeaseMs: 400 } }));
    const { integrationId } = await h.install();
    h.clock.advance(3600 * 1000);
    failCredentialWrites = true;
    const lost = await attempt(h, integrationId);
    expect(SdkError.is(lost.ok ? undefined : lost.error, "store_unavailable")).toBe(true);
    expect(h.server.stats.refreshes).toBe(1);
    // The holder retries the write while its lease lasts, then gives up and says so; the journal entry stays.
    for (let waited = 0; !h.lines.some((line) => line.level === "error" && line.message.startsWith("could not store a rotated refresh token")); waited += 25) {
      expect(waited).toBeLessThan(3000);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    failCredentialWrites = false;
    h.clock.advance(3000);
    const recovered = await attempt(h, integrationId);
    expect(recovered.ok).toBe(true);
    expect(h.server.stats.refreshes).toBe(2);
    expect(h.server.stats.reuseDetected).toBe(0);
    expect((await h.sdk.getConnection(integrationId)).status).toBe("active");
    expect(h.lines.some((line) => line.message.includes("recovered a rotated refresh token"))).toBe(true);
  });
});

describe("the refresh's HTTP work never outlives its lock", () => {
  it("gives up before the lease ends even when the attempt timeout and retries would run longer", async () => {
    const h = (harness = await startHarness({ provider: { lockLeaseMs: 1000, timeoutMs: 5000, retry: { attempts: 3, baseDelayMs: 5 } } }));
    const { integrationId, before } = await expired(h);
    h.server.fault("token", { kind: "delay", ms: 3000 }, 3);
    const started = Date.now();
    const result = await attempt(h, integrationId);
    const took = Date.now() - started;
    expect(SdkError.is(result.ok ? undefined : result.error, "provider_unavailable")).toBe(true);
    expect(took).toBeLessThan(1000);
    expect(await h.store.get(integrationId)).toEqual(before);
  });
});
