// Core's OpenTelemetry span: every resolve (here api-key and basic connections, which no engine instruments) is one
// `sdk.resolve` span with the provider and integration ids, a failed one says its code, and nothing secret is
// exported. Through the OTel SDK's in-memory exporter; the OAuth engine's spans are tested in @sdk/oauth.
import { trace } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSDK } from "./create-sdk.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import { defineBasicProvider } from "./define-basic-provider.js";
import { MemoryStore } from "./memory-store.js";
import { testEncryptionKey } from "./test-encryption-key.js";

const spans = new InMemorySpanExporter();
const plantedApiKey = "sk_live_planted_telemetry_7c1a";
const plantedPassword = "planted-telemetry-password-41";

beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
});

afterAll(() => {
  trace.disable();
});

describe("sdk.resolve span", () => {
  it("spans every resolve with its provider, marks a failure with its code, and exports no secret", async () => {
    const key = testEncryptionKey("k-telemetry");
    const sdk = createSDK({
      store: new MemoryStore(),
      encryption: { keys: [key] },
      providers: [defineApiKeyProvider({ id: "keyed", baseUrl: "https://api.keyed.example/v1" }), defineBasicProvider({ id: "basic", baseUrl: "https://api.basic.example" })],
    });
    const keyed = await sdk.createConnection({ provider: "keyed", account_id: "acct-1", created_by: "user-1", credentials: { api_key: plantedApiKey } });
    const basic = await sdk.createConnection({ provider: "basic", account_id: "acct-1", created_by: "user-1", credentials: { username: "ops", password: plantedPassword } });
    await sdk.resolveConnection(keyed.id);
    await sdk.resolveConnection(basic.id);
    await expect(sdk.resolveConnection("int_missing")).rejects.toMatchObject({ code: "integration_not_found" });

    const finished = spans.getFinishedSpans().filter((span) => span.name === "sdk.resolve");
    expect(finished.map((span) => [span.attributes["sdk.integration_id"], span.attributes["sdk.provider"], span.status.code])).toEqual([
      [keyed.id, "keyed", 1],
      [basic.id, "basic", 1],
      ["int_missing", undefined, 2],
    ]);
    expect(finished[2]!.attributes["error.type"]).toBe("integration_not_found");
    expect(finished.every((span) => span.instrumentationScope.name === "@sdk/core")).toBe(true);
    const exported = JSON.stringify(spans.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes, status: span.status, events: span.events })));
    for (const secret of [plantedApiKey, plantedPassword, key.key, Buffer.from(`ops:${plantedPassword}`).toString("base64")]) expect(exported).not.toContain(secret);
  });
});
