// Turns whatever ioredis throws (connection refused, offline queue disabled, command timeout, Cluster down) into the
// retryable SdkError the SDK understands. Keys, values and command arguments never reach the error.
import { SdkError } from "@sdk/core";

type UnavailableCode = "cache_unavailable" | "store_unavailable";

/**
 * The driver error stripped down to its class name and message. ioredis attaches the failed command with its
 * arguments (`error.command.args`: keys, tokens) to reply errors, so the original must not travel as `cause`.
 */
function sanitizedCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error("non-error value thrown by the Redis client");
  const cause = new Error(error.message);
  cause.name = error.name;
  return cause;
}

export function redisFailure(code: UnavailableCode, operation: string, error: unknown): SdkError {
  if (SdkError.is(error)) return error;
  const engine = code === "cache_unavailable" ? "cache" : "store";
  return new SdkError(code, `The Redis ${engine} failed during "${operation}"; retry later.`, {
    details: { operation, reason: error instanceof Error ? error.name : typeof error },
    cause: sanitizedCause(error),
  });
}

/** Runs one Redis call and maps any driver failure. */
export async function guardRedis<T>(code: UnavailableCode, operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw redisFailure(code, operation, error);
  }
}
