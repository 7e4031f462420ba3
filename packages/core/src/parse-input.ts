// Turns schema failures into `validation_failed` errors that name the field and never echo the value.
// Every public entry point parses its input through here before it touches a store. Schemas are run through their
// Standard Schema `validate` (zod 4 implements it), so a user's schema works whichever zod (or library) built it.
import type { z } from "zod";
import { zod } from "./lazy-zod.js";
import { SdkError } from "./sdk-error.js";
import type { StandardSchemaIssue, StandardSchemaOutput, StandardSchemaPathSegment, StandardSchemaV1 } from "./standard-schema.js";

export function formatPath(path: ReadonlyArray<PropertyKey | StandardSchemaPathSegment>): string {
  return path.map((segment) => (typeof segment === "object" ? segment.key : segment)).map((part) => (typeof part === "number" ? `[${part}]` : String(part))).join(".").replace(/\.\[/g, "[");
}

/** Where an issue is: an unexpected key is reported on its parent, and naming the key itself says which field to drop. */
function issuePath(issue: SchemaIssue): PropertyKey[] {
  const path = (issue.path ?? []).map((segment) => (typeof segment === "object" ? segment.key : segment));
  return issue.code === "unrecognized_keys" && issue.keys?.[0] !== undefined ? [...path, issue.keys[0]] : path;
}

/** A Standard Schema issue; zod's also carry a `code` (and `keys` for unknown keys), other libraries' may not. */
type SchemaIssue = StandardSchemaIssue & { code?: string; keys?: string[] };

type Validated<S extends StandardSchemaV1> = { value: StandardSchemaOutput<S>; issues?: undefined } | { issues: ReadonlyArray<SchemaIssue> };

/** Runs `schema` synchronously: every SDK entry point is synchronous up to its first await, and so are its checks. */
function validate<S extends StandardSchemaV1<unknown, unknown>>(schema: S, value: unknown, field: string): Validated<S> {
  // A zod schema (any copy of zod) runs through its own safeParse: zod's `~standard.validate` answers a refinement that
  // throws with a Promise (it retries asynchronously), which would hide the real error behind "asynchronous".
  const zodSchema = schema as unknown as { safeParse?: (input: unknown) => { success: boolean; data?: unknown; error?: { issues: SchemaIssue[] } } };
  if (schema["~standard"].vendor === "zod" && typeof zodSchema.safeParse === "function") {
    const parsed = zodSchema.safeParse(value);
    return (parsed.success ? { value: parsed.data } : { issues: parsed.error?.issues ?? [] }) as Validated<S>;
  }
  const result: unknown = schema["~standard"].validate(value);
  if (typeof (result as { then?: unknown } | null)?.then === "function") {
    (result as Promise<unknown>).then(undefined, () => undefined);
    throw new SdkError("misconfigured", `The schema for "${field}" validates asynchronously; the SDK needs a synchronous schema.`, { details: { field } });
  }
  return result as Validated<S>;
}

const codeOf = (issue: SchemaIssue): string => (typeof issue.code === "string" ? issue.code : "custom");

/**
 * Parses `value` with `schema`. On failure throws `validation_failed` whose message names the first bad field
 * (prefixed with `field`, e.g. `createConnection.credentials.api_key`) and whose details list every issue by path.
 */
export function parseInput<S extends StandardSchemaV1>(schema: S, value: unknown, field: string): StandardSchemaOutput<S> {
  const result = validate(schema, value, field);
  if (!result.issues) return result.value;
  const issues = result.issues.map((issue) => {
    const path = formatPath(issuePath(issue));
    return { field: path ? `${field}.${path}` : field, code: codeOf(issue), message: issue.message };
  });
  const first = issues[0]!;
  throw new SdkError("validation_failed", `"${first.field}" is invalid: ${first.message}`, {
    details: { field: first.field, issues },
  });
}

/** The value at `path` inside `root`, to tell a missing option from a wrong one. */
function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/**
 * Parses the options of a provider factory (`slack()`, `defineApiKeyProvider()`, ...) when it is called. On failure
 * throws `misconfigured` (configuration, not user input) whose `details.field` is `{factory}.{option path}`
 * (`slack.redirectUri`, `atlassian.scopes.jira[0]`, an unknown option by its own key) and whose message says whether
 * the option is missing or invalid, never quoting its value (it may be a secret).
 */
export function parseOptions<S extends StandardSchemaV1>(schema: S, options: unknown, factory: string): StandardSchemaOutput<S> {
  const result = validate(schema, options, factory);
  if (!result.issues) return result.value;
  const issues = result.issues.map((issue) => {
    const at = issuePath(issue);
    const path = formatPath(at);
    const missing = valueAt(options, at) === undefined;
    // A refinement may already say why a missing option is needed ("is required when ...").
    const problem =
      issue.code === "unrecognized_keys" ? "is not an option" : missing ? (issue.message.startsWith("is required") ? issue.message : "is required") : `is invalid: ${issue.message}`;
    return { field: path ? `${factory}.${path}` : factory, option: path, code: codeOf(issue), problem };
  });
  const first = issues[0]!;
  const message = first.option ? `${factory}() option "${first.option}" ${first.problem}.` : `${factory}() needs an options object.`;
  throw new SdkError("misconfigured", message, {
    details: { field: first.field, issues: issues.map(({ field, code, problem }) => ({ field, code, message: problem })) },
  });
}

/**
 * A user's schema as a zod schema of the SDK's own zod, so it composes with the SDK's schemas (`pipe`, object shapes,
 * refinements): it runs through its `~standard.validate` and its issues are raised as they are (same message, code and
 * path), whichever zod instance or library built it.
 */
export function fromStandardSchema<O>(schema: StandardSchemaV1<unknown, O>, field: string): z.ZodType<O, unknown> {
  const z = zod();
  return z.unknown().transform((value, context): O => {
    const result = validate(schema, value, field);
    if (!result.issues) return result.value as O;
    for (const issue of result.issues) {
      const path = (issue.path ?? []).map((segment) => (typeof segment === "object" ? segment.key : segment));
      context.addIssue({ ...issue, path } as Parameters<typeof context.addIssue>[0]);
    }
    return z.NEVER;
  });
}
