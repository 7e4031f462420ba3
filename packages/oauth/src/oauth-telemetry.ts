// OpenTelemetry for the OAuth engine, through `@opentelemetry/api` when the service has it (an optional peer): spans
// around resolve, refresh, token-endpoint calls, install callbacks and webhooks, and the refresh metrics. Without the
// package nothing is loaded and every call here costs one property read. Attributes are provider ids, integration ids
// and outcome codes only: never a token, a secret, a code or a URL's query.
import { createRequire } from "node:module";
import { SdkError } from "@sdk/core";
import type * as OtelApi from "@opentelemetry/api";

type Api = typeof OtelApi;
type Attributes = Record<string, string | number | boolean>;

const SCOPE = "@sdk/oauth";
let loaded: Api | null | undefined;

/**
 * A provider that records nothing: the API's defaults until the service registers an SDK. Tracing through them would
 * still cost a span object and a context switch per call, so a service that has the API without an SDK pays nothing.
 */
function isNoop(provider: object): boolean {
  const delegate = (provider as { getDelegate?: () => object }).getDelegate?.() ?? provider;
  return delegate.constructor.name.startsWith("Noop");
}

/** The service's @opentelemetry/api, or null when it has none. Loaded once, synchronously, on first use. */
function otel(): Api | null {
  if (loaded === undefined) {
    try {
      // CommonJS build: this module's own require; ESM build: one made from this file's URL.
      const load = typeof require === "function" ? require : createRequire(import.meta.url);
      loaded = load("@opentelemetry/api") as Api;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

interface Instruments {
  provider: unknown;
  refreshes: OtelApi.Counter;
  refreshDuration: OtelApi.Histogram;
  lockWaits: OtelApi.Counter;
  cacheLookups: OtelApi.Counter;
  needsReauth: OtelApi.Counter;
}
let instruments: Instruments | undefined;

/** Instruments of the current global MeterProvider (made again when the service installs one after our first use). */
function meters(api: Api): Instruments | undefined {
  const provider = api.metrics.getMeterProvider();
  if (instruments?.provider === provider) return instruments;
  if (isNoop(provider)) return undefined;
  const meter = provider.getMeter(SCOPE);
  instruments = {
    provider,
    refreshes: meter.createCounter("sdk.oauth.refreshes", { description: "Token refreshes by provider and outcome (`refreshed` or the SdkError code)." }),
    refreshDuration: meter.createHistogram("sdk.oauth.refresh.duration", { unit: "s", description: "Time the lock holder spent refreshing a token (token endpoint, journal, write)." }),
    lockWaits: meter.createCounter("sdk.oauth.lock.waits", { description: "Resolves that waited for another process's refresh instead of refreshing." }),
    cacheLookups: meter.createCounter("sdk.oauth.token_cache.lookups", { description: "Access-token cache reads by hit (`sdk.cache.hit`): the hit ratio." }),
    needsReauth: meter.createCounter("sdk.connections.needs_reauth", { description: "Connections that became needs_reauth (the grant died)." }),
  };
  return instruments;
}

/** The code an error stands for, for `error.type` and outcomes: an SdkError's code, else the error's class name. */
function errorType(error: unknown): string {
  if (SdkError.is(error)) return error.code;
  return error instanceof Error ? error.name : "unknown";
}

/**
 * Runs `run` inside a span (`SpanKind.CLIENT` for calls to a provider, else INTERNAL); `describe` adds attributes of the
 * result. A failure sets the span's status to ERROR with `error.type` (the code); the exception itself is not recorded,
 * its message could quote a provider.
 */
export async function traced<T>(name: string, attributes: Attributes, run: () => Promise<T>, kind: "client" | "internal" = "internal", describe?: (result: T) => Attributes): Promise<T> {
  const api = otel();
  if (!api || isNoop(api.trace.getTracerProvider())) return run();
  const tracer = api.trace.getTracer(SCOPE);
  return tracer.startActiveSpan(name, { kind: kind === "client" ? api.SpanKind.CLIENT : api.SpanKind.INTERNAL, attributes }, async (span) => {
    try {
      const result = await run();
      if (describe) span.setAttributes(describe(result));
      span.setStatus({ code: api.SpanStatusCode.OK });
      return result;
    } catch (error) {
      const type = errorType(error);
      span.setAttribute("error.type", type);
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: type });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The attributes of a token-endpoint call (OTel HTTP client conventions): the host and the grant type, never the body. */
export function tokenRequestAttributes(provider: string, url: string, params: Record<string, string>): Attributes {
  const target = URL.canParse(url) ? new URL(url) : undefined;
  return {
    "sdk.provider": provider,
    "http.request.method": "POST",
    ...(target ? { "server.address": target.hostname, "server.port": Number(target.port || (target.protocol === "https:" ? 443 : 80)) } : {}),
    "sdk.oauth.grant_type": params.grant_type ?? "none",
  };
}

/** The lock holder's refresh: a span, and the refresh metrics (outcome, duration). */
export async function refreshSpan<T>(provider: string, integrationId: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await traced("sdk.oauth.refresh", { "sdk.provider": provider, "sdk.integration_id": integrationId }, run);
    recordRefresh(provider, started);
    return result;
  } catch (error) {
    recordRefresh(provider, started, error);
    throw error;
  }
}

/** One refresh by the lock holder: its outcome (`refreshed` or a code) and how long it took. */
export function recordRefresh(provider: string, startedAtMs: number, error?: unknown): void {
  const api = otel();
  if (!api) return;
  const current = meters(api);
  if (!current) return;
  const { refreshes, refreshDuration } = current;
  const outcome = error === undefined ? "refreshed" : errorType(error);
  refreshes.add(1, { "sdk.provider": provider, "sdk.outcome": outcome });
  refreshDuration.record((performance.now() - startedAtMs) / 1000, { "sdk.provider": provider, "sdk.outcome": outcome });
}

export function recordLockWait(provider: string): void {
  const api = otel();
  if (api) meters(api)?.lockWaits.add(1, { "sdk.provider": provider });
}

export function recordCacheLookup(provider: string, hit: boolean): void {
  const api = otel();
  if (api) meters(api)?.cacheLookups.add(1, { "sdk.provider": provider, "sdk.cache.hit": hit });
}

export function recordNeedsReauth(provider: string): void {
  const api = otel();
  if (api) meters(api)?.needsReauth.add(1, { "sdk.provider": provider });
}
