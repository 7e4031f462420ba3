// Reads an OAuth redirect's query (URLSearchParams, URL or a framework's parsed object) into callback fields, so a
// service passes the whole query and never picks provider-specific fields (Sentry's `installationId`) itself.
import { SdkError } from "./sdk-error.js";

/** The redirect's query as web frameworks hand it over: `new URL(request.url)`, `url.searchParams`, Express `req.query`. */
export type CallbackQuery = URLSearchParams | URL | Readonly<Record<string, unknown>>;

/** Fields the query can never set: the route names the provider, the browser's cookie carries the binding. */
const RESERVED = new Set(["provider", "browser_binding", "query", "__proto__", "constructor", "prototype"]);
const MAX_PARAMETERS = 64;
const MAX_VALUE_LENGTH = 8192;

function invalid(field: string, message: string): SdkError {
  return new SdkError("validation_failed", `"${field}" ${message}`, { details: { field } });
}

function entriesOf(query: CallbackQuery, field: string): [string, unknown[]][] {
  const params = query instanceof URL ? query.searchParams : query instanceof URLSearchParams ? query : undefined;
  if (params) return [...new Set(params.keys())].map((key) => [key, params.getAll(key)]);
  if (typeof query !== "object" || query === null || Array.isArray(query)) throw invalid(field, "must be a URLSearchParams, a URL or a plain object of query parameters.");
  return Object.entries(query).map(([key, value]) => [key, Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]]);
}

/**
 * The query's parameters as callback fields. A parameter given twice is refused (RFC 6749 section 3.1: "Request and
 * response parameters MUST NOT be included more than once"), as is a value that is not text.
 */
export function callbackFields(query: CallbackQuery, field: string): Record<string, string> {
  const entries = entriesOf(query, field);
  if (entries.length > MAX_PARAMETERS) throw invalid(field, `has more than ${MAX_PARAMETERS} parameters.`);
  const fields: Record<string, string> = {};
  for (const [key, values] of entries) {
    if (RESERVED.has(key) || values.length === 0) continue;
    const name = `${field}.${key}`;
    if (values.length > 1) throw invalid(name, "is given more than once (RFC 6749 section 3.1).");
    const value = values[0];
    if (typeof value !== "string") throw invalid(name, "must be text.");
    if (value.length > MAX_VALUE_LENGTH) throw invalid(name, `is longer than ${MAX_VALUE_LENGTH} characters.`);
    fields[key] = value;
  }
  return fields;
}

/** Top-level `null` fields read as absent: `URLSearchParams.get` and cookie parsers give null for "not there". */
export function withoutNulls<T extends object>(input: T): T {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null)) as T;
}

/**
 * The callback input with the query's fields merged in. A field given both in the query and explicitly must agree:
 * two different codes or states mean the caller wired something wrong.
 */
export function mergeCallbackQuery(input: Record<string, unknown>, field: string): Record<string, unknown> {
  const { query, ...explicit } = withoutNulls(input);
  if (query === undefined) return explicit;
  const fromQuery = callbackFields(query as CallbackQuery, `${field}.query`);
  for (const [key, value] of Object.entries(fromQuery)) {
    if (explicit[key] !== undefined && explicit[key] !== value) throw invalid(`${field}.${key}`, "differs from the same parameter in the query: pass it once.");
  }
  return { ...fromQuery, ...explicit };
}
