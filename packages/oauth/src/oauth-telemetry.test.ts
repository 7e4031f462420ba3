// OpenTelemetry through the OTel SDK's in-memory exporter and a metric reader: the spans of an install callback, a
// resolve, a refresh and its token-endpoint call, a webhook; the refresh metrics (outcome, duration, lock waits, cache
// lookups, needs_reauth); and a planted-secret scan of everything exported (no token, code or secret in any attribute).
import { createSDK, MemoryCache, MemoryStore, type SDK } from "@sdk/core";
import { metrics, trace } from "@opentelemetry/api";
import { MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineOAuthProvider } from "./define-oauth-provider.js";
import { startOAuthEmulator, type OAuthEmulator } from "./testing.js";

const REDIRECT_URI = "https://app.example.test/callback/acme";
const STATE_SECRET = "telemetry-state-secret-0123456789abcdef";
const KEY = Buffer.alloc(32, 9).toString("base64");

class TestMetricReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const spans = new InMemorySpanExporter();
const reader = new TestMetricReader();
let server: OAuthEmulator;
/** Every value that must never be exported: tokens and codes seen on the wire, and the configured secrets. */
const planted = new Set<string>([STATE_SECRET, KEY]);

/** The real fetch, noting the tokens and codes it carries so the scan knows what to look for. */
const recordingFetch: typeof fetch = async (input, init) => {
  const body = typeof init?.body === "string" ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : "";
  for (const [name, value] of new URLSearchParams(body)) if (["code", "refresh_token", "code_verifier", "client_secret"].includes(name)) planted.add(value);
  const response = await fetch(input, init);
  const text = await response.clone().text();
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    for (const field of ["access_token", "refresh_token", "id_token"]) if (typeof parsed[field] === "string") planted.add(parsed[field] as string);
  } catch {
    // not JSON: nothing to note
  }
  return response;
};

function sdkOn(stores: { store: MemoryStore; cache: MemoryCache }): SDK {
  return createSDK({
    ...stores,
    fetch: recordingFetch,
    encryption: { keys: [{ id: "k1", key: KEY }] },
    state: { secrets: [{ id: "s1", secret: STATE_SECRET }] },
    providers: [
      defineOAuthProvider({
        id: "acme",
        client: { clientId: server.clientId, clientSecret: server.clientSecret, redirectUri: REDIRECT_URI, scopes: ["read"] },
        endpoints: { authorizeUrl: server.authorizeUrl, tokenUrl: server.tokenUrl },
        hooks: { handleWebhook: async () => ({ integration_ids: [] }) },
      }),
    ],
  });
}

async function install(sdk: SDK, user: string): Promise<string> {
  const started = await sdk.buildInstallUrl({ provider: "acme", user_id: user, account_id: `acct-${user}` });
  const back = new URL(await server.consent(started.url, { user }));
  const { integration } = await sdk.handleInstallCallback({ provider: "acme", query: back.searchParams, browser_binding: started.browser_binding });
  return (await sdk.createConnection(integration)).id;
}

/** Sum of a counter's (or a histogram's count of) data points whose attributes include `where`. */
function total(collected: ResourceMetrics, name: string, where: Record<string, unknown> = {}): number {
  let sum = 0;
  for (const scope of collected.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) {
        if (!Object.entries(where).every(([key, value]) => point.attributes[key] === value)) continue;
        const value = point.value as number | { count: number };
        sum += typeof value === "number" ? value : value.count;
      }
    }
  }
  return sum;
}

beforeAll(async () => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  server = await startOAuthEmulator({ redirectUris: [REDIRECT_URI] });
  planted.add(server.clientSecret);
});

afterAll(async () => {
  await server?.close();
  trace.disable();
  metrics.disable();
});

describe("OpenTelemetry (optional peer @opentelemetry/api)", () => {
  it("exports spans and metrics for install, resolve, refresh, lock waits, webhooks and dead grants, with no secret", async () => {
    const stores = { store: new MemoryStore(), cache: new MemoryCache() };
    const sdk = sdkOn(stores);
    const other = sdkOn(stores);
    const live = await install(sdk, "ann");
    const dying = await install(sdk, "bob");

    await sdk.resolveConnection(live); // cache hit
    await sdk.invalidateConnection(live);
    // Two SDK instances (two processes' worth of in-process state) meet one expired token: one refreshes, one waits.
    const before = server.stats.refreshes;
    await Promise.all([sdk.resolveConnection(live), other.resolveConnection(live)]);
    expect(server.stats.refreshes - before).toBe(1);

    server.revokeUser("bob");
    await sdk.invalidateConnection(dying);
    await expect(sdk.resolveConnection(dying)).rejects.toMatchObject({ code: "reauth_required" });
    await sdk.handleWebhook({ provider: "acme", headers: {}, body: "{}" });

    const names = spans.getFinishedSpans().map((span) => span.name);
    for (const name of ["sdk.oauth.install_callback", "sdk.resolve", "sdk.oauth.refresh", "sdk.oauth.token_request", "sdk.oauth.webhook"]) expect(names).toContain(name);
    const refreshCall = spans.getFinishedSpans().find((span) => span.name === "sdk.oauth.token_request" && span.attributes["sdk.oauth.grant_type"] === "refresh_token" && span.attributes["http.response.status_code"] === 200)!;
    expect(refreshCall.kind).toBe(2); // SpanKind.CLIENT
    expect(refreshCall.attributes).toMatchObject({ "sdk.provider": "acme", "http.request.method": "POST", "server.address": "127.0.0.1" });
    const failed = spans.getFinishedSpans().find((span) => span.name === "sdk.oauth.refresh" && span.status.code === 2)!;
    expect(failed.attributes).toMatchObject({ "error.type": "reauth_required", "sdk.integration_id": dying });

    const { resourceMetrics } = await reader.collect();
    expect(total(resourceMetrics, "sdk.oauth.refreshes", { "sdk.provider": "acme", "sdk.outcome": "refreshed" })).toBe(1);
    expect(total(resourceMetrics, "sdk.oauth.refreshes", { "sdk.outcome": "reauth_required" })).toBe(1);
    expect(total(resourceMetrics, "sdk.oauth.refresh.duration")).toBe(2);
    expect(total(resourceMetrics, "sdk.oauth.lock.waits", { "sdk.provider": "acme" })).toBe(1);
    // One hit (the first resolve), three misses (both instances after the invalidation, the dead grant).
    expect(total(resourceMetrics, "sdk.oauth.token_cache.lookups", { "sdk.cache.hit": true })).toBe(1);
    expect(total(resourceMetrics, "sdk.oauth.token_cache.lookups", { "sdk.cache.hit": false })).toBe(3);
    expect(total(resourceMetrics, "sdk.connections.needs_reauth", { "sdk.provider": "acme" })).toBe(1);

    // The planted-secret scan, over every exported span (name, attributes, status, events) and metric point.
    expect(planted.size).toBeGreaterThanOrEqual(8);
    const exported = JSON.stringify({
      spans: spans.getFinishedSpans().map((span) => ({ name: span.name, attributes: span.attributes, status: span.status, events: span.events })),
      metrics: resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.dataPoints.map((point) => point.attributes))),
    });
    for (const secret of planted) expect(exported).not.toContain(secret);
  });
});
