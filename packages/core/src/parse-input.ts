// Turns zod failures into `validation_failed` errors that name the field and never echo the value.
// Every public entry point parses its input through here before it touches a store.
import type { z } from "zod";
import { SdkError } from "./sdk-error.js";

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part) => (typeof part === "number" ? `[${part}]` : String(part))).join(".").replace(/\.\[/g, "[");
}

/**
 * Parses `value` with `schema`. On failure throws `validation_failed` whose message names the first bad field
 * (prefixed with `field`, e.g. `createConnection.credentials.api_key`) and whose details list every issue by path.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    // An unexpected key is reported on its parent; naming the key itself tells the caller which field to drop.
    const at = issue.code === "unrecognized_keys" && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
    const path = formatPath(at);
    return { field: path ? `${field}.${path}` : field, code: issue.code, message: issue.message };
  });
  const first = issues[0]!;
  throw new SdkError("validation_failed", `"${first.field}" is invalid: ${first.message}`, {
    details: { field: first.field, issues },
  });
}
