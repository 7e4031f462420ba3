// Zod building blocks shared by every public input: ids, provider ids, JSON-safe records.
// Records refuse prototype-polluting and query-operator keys and cap their size so hostile input never reaches a store.
// Each is a memoized getter (`idSchema()`): zod loads and the schema is built on first use, never at import.
import { lazySchema } from "./lazy-zod.js";

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const MAX_RECORD_JSON = 64 * 1024;

/**
 * An opaque identifier, 1-256 characters. The charset covers what real ids look like (UUIDs, Mongo ObjectIds,
 * `557058:9f0c…` Atlassian account ids, `auth0|abc`, e-mail addresses) and leaves out what only an injection needs:
 * whitespace, quotes, `$`, braces, slashes, glob characters and non-ASCII. Ids end up in cache keys and store queries.
 */
export const idSchema = lazySchema((z) =>
  z
    .string()
    .min(1)
    .max(256)
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.:@|+=~-]*$/, "must be ASCII letters, digits or _ . : @ | + = ~ - (and not start with a symbol)"),
);

const ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:@|+=~-]{0,255}$/;

/** `idSchema` without zod for the hot path: true exactly when `idSchema` accepts the value. */
export function isValidId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

/** A provider id: lower-case letters, digits, `_` and `-`, starting with a letter. Never contains `:`. */
export const providerIdSchema = lazySchema((z) =>
  z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z][a-z0-9_-]*$/, "must be lower-case letters, digits, '_' or '-'"),
);

export const scopeSchema = lazySchema((z) => z.string().min(1).max(512).regex(/^[^\s]+$/, "must not contain whitespace"));

// `$`-prefixed and dotted keys are MongoDB operators and field paths: refused so a record can never turn into a query.
function isSafeKey(key: string): boolean {
  return !FORBIDDEN_KEYS.has(key) && !key.startsWith("$") && !key.includes(".") && !key.includes("\u0000");
}

function hasOnlySafeKeys(value: unknown, depth = 0): boolean {
  if (depth > 8) return false;
  if (Array.isArray(value)) return value.every((item) => hasOnlySafeKeys(item, depth + 1));
  if (value && typeof value === "object") {
    for (const key of Object.keys(value)) {
      if (!isSafeKey(key)) return false;
      if (!hasOnlySafeKeys((value as Record<string, unknown>)[key], depth + 1)) return false;
    }
  }
  return true;
}

/** A plain JSON object with no prototype-polluting keys, at most 8 levels deep and 64 KiB as JSON. */
export const jsonRecordSchema = lazySchema((z) =>
  z
    .unknown()
    .superRefine((value, ctx) => {
      // Checked on the raw input: once parsed into a fresh object a "__proto__" key would already be gone.
      if (typeof value !== "object" || value === null || Array.isArray(value)) return;
      if (!hasOnlySafeKeys(value)) {
        ctx.addIssue({ code: "custom", message: "must not contain __proto__, constructor, prototype, $-prefixed or dotted keys, nor nest deeper than 8 levels" });
        return;
      }
      let size: number;
      try {
        size = JSON.stringify(value).length;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be JSON-serialisable" });
        return;
      }
      if (size > MAX_RECORD_JSON) ctx.addIssue({ code: "custom", message: "must be at most 64 KiB as JSON" });
    })
    .pipe(z.record(z.string().min(1).max(128), z.unknown())),
);

/** A secret string: non-empty, at most 16 KiB. */
export const secretSchema = lazySchema((z) => z.string().min(1).max(16 * 1024));

/**
 * A secret sent as it is in an HTTP header (an api key, a bearer token): visible ASCII only. Anything else would be
 * refused later by `Headers`, whose error message quotes the value, i.e. the secret.
 */
export const headerSecretSchema = lazySchema(() => secretSchema().regex(/^[\x21-\x7e]+$/, "must be visible ASCII without spaces (it is sent in an HTTP header)"));

export const urlSchema = lazySchema((z) =>
  z
    .string()
    .max(2048)
    .refine((value) => {
      try {
        const url = new URL(value);
        return url.protocol === "https:" || url.protocol === "http:";
      } catch {
        return false;
      }
    }, "must be an http(s) URL"),
);
