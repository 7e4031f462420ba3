// OpenTelemetry through `@opentelemetry/api` when the service has it (an optional peer of @sdk/core and @sdk/oauth):
// the loader, and spans with an outcome. Without the package nothing is loaded and a call costs one property read.
// Attributes are provider ids, integration ids and outcome codes only: never a token, a secret, a code or a URL query.
import { createRequire } from "node:module";
import type * as OtelApi from "@opentelemetry/api";
import { SdkError } from "./sdk-error.js";

/** Not exported: the public declarations must not name @opentelemetry/api's types (a service may not have it). */
type OtelApiModule = typeof OtelApi;
export type TelemetryAttributes = Record<string, string | number | boolean>;

let loaded: object | null | undefined;

/**
 * The service's @opentelemetry/api, or null when it has none. Loaded once, synchronously, on first use. Callers name
 * the module's type (`otelApi<typeof import("@opentelemetry/api")>()`) so that these declarations never need it.
 */
export function otelApi<Api extends object = object>(): Api | null {
  if (loaded === undefined) {
    try {
      // One made from this file's URL in both builds (tsup shims import.meta.url in the CJS one). Not `typeof require`:
      // the ESM bundle rewrites it to esbuild's `__require`, which throws there, and OTel then never loaded under ESM.
      const load = createRequire(import.meta.url);
      loaded = load("@opentelemetry/api") as object;
    } catch {
      loaded = null;
    }
  }
  return loaded as Api | null;
}

/**
 * Whether a tracer or meter provider records nothing: the API's defaults until the service registers an SDK. Tracing
 * through them would still cost a span object and a context switch per call, so such a service pays nothing.
 */
export function isNoopTelemetry(provider: object): boolean {
  const delegate = (provider as { getDelegate?: () => object }).getDelegate?.() ?? provider;
  return delegate.constructor.name.startsWith("Noop");
}

/** The code an error stands for, for `error.type` and outcomes: an SdkError's code, else the error's class name. */
export function telemetryErrorType(error: unknown): string {
  if (SdkError.is(error)) return error.code;
  return error instanceof Error ? error.name : "unknown";
}

/**
 * Runs `run` inside a span of the instrumentation scope `scope` (`SpanKind.CLIENT` for calls to a provider, else
 * INTERNAL); `describe` adds attributes of the result. A failure sets the span's status to ERROR with `error.type`
 * (the code); the exception itself is not recorded, its message could quote a provider.
 */
export async function traced<T>(
  scope: string,
  name: string,
  attributes: TelemetryAttributes,
  run: () => Promise<T>,
  kind: "client" | "internal" = "internal",
  describe?: (result: T) => TelemetryAttributes,
): Promise<T> {
  const api = otelApi<OtelApiModule>();
  if (!api || isNoopTelemetry(api.trace.getTracerProvider())) return run();
  const tracer = api.trace.getTracer(scope);
  return tracer.startActiveSpan(name, { kind: kind === "client" ? api.SpanKind.CLIENT : api.SpanKind.INTERNAL, attributes }, async (span) => {
    try {
      const result = await run();
      if (describe) span.setAttributes(describe(result));
      span.setStatus({ code: api.SpanStatusCode.OK });
      return result;
    } catch (error) {
      const type = telemetryErrorType(error);
      span.setAttribute("error.type", type);
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: type });
      throw error;
    } finally {
      span.end();
    }
  });
}
