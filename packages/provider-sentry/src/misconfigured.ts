// Factory options are configuration: a bad one is `misconfigured` (as in createSDK and the OAuth engine), naming the
// option path, and an unknown option by its key. The value is never echoed (it may be a secret).
import { SdkError } from "@sdk/core";
import type { z } from "zod";

export function misconfigured(factory: string, issue: z.core.$ZodIssue): SdkError {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys" && issue.keys[0]) path.push(issue.keys[0]);
  const field = path.join(".");
  const message = issue.code === "unrecognized_keys" ? "is not an option" : issue.message;
  return new SdkError("misconfigured", `${factory}() option "${field || "options"}" is invalid: ${message}`, { details: { field: `${factory}.${field}` } });
}
