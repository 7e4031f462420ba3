// Turns zod failures into `validation_failed` errors that name the field and never echo the value.
// Every public entry point parses its input through here before it touches a store.
import type { z } from "zod";
import { SdkError } from "./sdk-error.js";

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part) => (typeof part === "number" ? `[${part}]` : String(part))).join(".").replace(/\.\[/g, "[");
}

/** Where an issue is: an unexpected key is reported on its parent, and naming the key itself says which field to drop. */
function issuePath(issue: z.core.$ZodIssue): PropertyKey[] {
  return issue.code === "unrecognized_keys" && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : [...issue.path];
}

/**
 * Parses `value` with `schema`. On failure throws `validation_failed` whose message names the first bad field
 * (prefixed with `field`, e.g. `createConnection.credentials.api_key`) and whose details list every issue by path.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const path = formatPath(issuePath(issue));
    return { field: path ? `${field}.${path}` : field, code: issue.code, message: issue.message };
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
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, factory: string): z.output<S> {
  const result = schema.safeParse(options);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const at = issuePath(issue);
    const path = formatPath(at);
    const missing = valueAt(options, at) === undefined;
    // A refinement may already say why a missing option is needed ("is required when ...").
    const problem =
      issue.code === "unrecognized_keys" ? "is not an option" : missing ? (issue.message.startsWith("is required") ? issue.message : "is required") : `is invalid: ${issue.message}`;
    return { field: path ? `${factory}.${path}` : factory, option: path, code: issue.code, problem };
  });
  const first = issues[0]!;
  const message = first.option ? `${factory}() option "${first.option}" ${first.problem}.` : `${factory}() needs an options object.`;
  throw new SdkError("misconfigured", message, {
    details: { field: first.field, issues: issues.map(({ field, code, problem }) => ({ field, code, message: problem })) },
  });
}
