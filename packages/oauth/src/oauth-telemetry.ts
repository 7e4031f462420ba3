// OpenTelemetry for the OAuth engine, on core's loader (`@opentelemetry/api` when the service has it, an optional peer):
// spans around refresh, token-endpoint calls, install callbacks and webhooks, and the refresh metrics (every resolve
// has core's `sdk.resolve` span). Without the package nothing is loaded. Attributes are provider ids, integration ids
// and outcome codes only: never a token, a secret, a code or a URL's query.
import { isNoopTelemetry, otelApi as loadOtelApi, telemetryErrorType, traced as tracedIn, type TelemetryAttributes } from "@sdk/core/provider-kit";
import type * as OtelApi from "@opentelemetry/api";

type OtelApiModule = typeof OtelApi;
const otelApi = () => loadOtelApi<OtelApiModule>();

const SCOPE = "@sdk/oauth";

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
function meters(api: OtelApiModule): Instruments | undefined {
  const provider = api.metrics.getMeterProvider();
  if (instruments?.provider === provider) return instruments;
  if (isNoopTelemetry(provider)) return undefined;
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

/** A span of the engine (instrumentation scope `@sdk/oauth`); see `traced` in `@sdk/core/provider-kit`. */
export function traced<T>(name: string, attributes: TelemetryAttributes, run: () => Promise<T>, kind: "client" | "internal" = "internal", describe?: (result: T) => TelemetryAttributes): Promise<T> {
  return tracedIn(SCOPE, name, attributes, run, kind, describe);
}

/** The attributes of a token-endpoint call (OTel HTTP client conventions): the host and the grant type, never the body. */
export function tokenRequestAttributes(provider: string, url: string, params: Record<string, string>): TelemetryAttributes {
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
  const api = otelApi();
  if (!api) return;
  const current = meters(api);
  if (!current) return;
  const { refreshes, refreshDuration } = current;
  const outcome = error === undefined ? "refreshed" : telemetryErrorType(error);
  refreshes.add(1, { "sdk.provider": provider, "sdk.outcome": outcome });
  refreshDuration.record((performance.now() - startedAtMs) / 1000, { "sdk.provider": provider, "sdk.outcome": outcome });
}

export function recordLockWait(provider: string): void {
  const api = otelApi();
  if (api) meters(api)?.lockWaits.add(1, { "sdk.provider": provider });
}

export function recordCacheLookup(provider: string, hit: boolean): void {
  const api = otelApi();
  if (api) meters(api)?.cacheLookups.add(1, { "sdk.provider": provider, "sdk.cache.hit": hit });
}

export function recordNeedsReauth(provider: string): void {
  const api = otelApi();
  if (api) meters(api)?.needsReauth.add(1, { "sdk.provider": provider });
}
