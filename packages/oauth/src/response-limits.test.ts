// Everything the SDK reads from a provider is bounded: body size (checked while streaming, so a 50 MB answer is
// never buffered), JSON depth and scopes per token response, on the code exchange and on the refresh. A breach is
// `provider_error` naming the limit, and the stored record is left as it was.
import { SdkError } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../test/harness.js";
import { jsonTooDeep } from "./read-bounded-body.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function failureOf(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    if (SdkError.is(error)) return error;
    throw error;
  }
  throw new Error("expected an SdkError");
}

async function expired(h: Harness) {
  const { integrationId } = await h.install();
  const before = (await h.store.get(integrationId))!;
  h.clock.advance(3600 * 1000);
  return { integrationId, before };
}

const MIB = 1024 * 1024;
const manyScopes = (count: number) => Array.from({ length: count }, (_, index) => `s${index}`).join(" ");

describe("response limits on the refresh path", () => {
  it("a 50 MB streamed token body is refused at 1 MiB (provider_error naming maxBodyBytes), read no further, record untouched", async () => {
    const h = (harness = await startHarness());
    const { integrationId, before } = await expired(h);
    h.server.fault("token", { kind: "oversized", bytes: 50 * MIB });
    const error = await failureOf(h.sdk.resolveConnection(integrationId));
    expect(error).toMatchObject({ code: "provider_error", details: { provider: "acme", limit: "maxBodyBytes", limit_value: MIB } });
    expect(error.message).toContain("responseLimits.maxBodyBytes");
    // Measured on the wire: the client stopped reading; what was sent is the limit plus socket buffers, not 50 MB.
    const sent = h.server.log.find((entry) => entry.bytesSent !== undefined)!.bytesSent!;
    expect(sent).toBeLessThan(16 * MIB);
    expect(h.server.counters.token).toBe(2);
    expect(await h.store.get(integrationId)).toEqual(before);
  });

  it("a declared Content-Length above the limit is refused before the body is read", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await expired(h);
    h.server.fault("token", { kind: "oversized", bytes: 50 * MIB, declareLength: true });
    expect((await failureOf(h.sdk.resolveConnection(integrationId))).details).toMatchObject({ limit: "maxBodyBytes" });
  });

  it("JSON nested deeper than 32 levels is refused (maxJsonDepth)", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await expired(h);
    h.server.fault("token", { kind: "text", status: 200, text: `${"[".repeat(100_000)}${"]".repeat(100_000)}` });
    expect(await failureOf(h.sdk.resolveConnection(integrationId))).toMatchObject({ code: "provider_error", details: { limit: "maxJsonDepth", limit_value: 32 } });
  });

  it("100,000 scopes never reach the runtime (maxScopes)", async () => {
    const h = (harness = await startHarness());
    const { integrationId, before } = await expired(h);
    h.server.fault("token", { kind: "status", status: 200, body: { access_token: "at-many-scopes", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-many-scopes", scope: manyScopes(100_000) } });
    expect(await failureOf(h.sdk.resolveConnection(integrationId))).toMatchObject({ code: "provider_error", details: { limit: "maxScopes", limit_value: 500 } });
    expect(await h.store.get(integrationId)).toEqual(before);
  });

  it("the limits are configurable per provider (responseLimits)", async () => {
    const h = (harness = await startHarness({ provider: { responseLimits: { maxBodyBytes: 64 } } }));
    const started = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await h.server.consent(started.url, { user: "user-1" }));
    const error = await failureOf(
      h.sdk.handleInstallCallback({ provider: "acme", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: started.browser_binding }),
    );
    expect(error.details).toMatchObject({ limit: "maxBodyBytes", limit_value: 64 });
  });
});

describe("response limits on the code exchange", () => {
  async function callback(h: Harness) {
    const started = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await h.server.consent(started.url, { user: "user-1" }));
    return h.sdk.handleInstallCallback({ provider: "acme", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: started.browser_binding });
  }

  it("an oversized body and too many scopes are refused here too", async () => {
    const h = (harness = await startHarness());
    h.server.fault("token", { kind: "oversized", bytes: 50 * MIB });
    expect((await failureOf(callback(h))).details).toMatchObject({ limit: "maxBodyBytes" });
    h.server.fault("token", { kind: "status", status: 200, body: { access_token: "at-x", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-x", scope: manyScopes(501) } });
    expect((await failureOf(callback(h))).details).toMatchObject({ limit: "maxScopes" });
  });
});

describe("jsonTooDeep", () => {
  it("counts brackets outside strings only", () => {
    expect(jsonTooDeep(`{"a":"${"[".repeat(100)}"}`, 2)).toBe(false);
    expect(jsonTooDeep(`{"a":"\\"[[[["}`, 1)).toBe(false);
    expect(jsonTooDeep(`{"a":[[1]]}`, 2)).toBe(true);
    expect(jsonTooDeep(`{"a":[1]}`, 2)).toBe(false);
  });
});
