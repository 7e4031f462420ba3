// For planted-secret scans: everything an error exposes, along its cause chain, as one string to search.
// Test-only (exported from @sdk/core/testing); it never decides anything at runtime.
import { SdkError } from "./sdk-error.js";

/** Name, message, stack, SdkError details and JSON of `error` and of each `cause` below it (at most `depth` levels). */
export function describeErrorChain(error: unknown, depth = 6): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let level = 0; current && level < depth; level++) {
    if (current instanceof Error) {
      parts.push(current.name, current.message, current.stack ?? "");
      if (SdkError.is(current)) parts.push(JSON.stringify(current.details), JSON.stringify(current));
      current = current.cause;
    } else {
      parts.push(typeof current === "object" ? JSON.stringify(current) : String(current));
      break;
    }
  }
  return parts.join("\n");
}
