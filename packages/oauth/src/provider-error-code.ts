// The one gate provider-supplied error text passes before it reaches an SdkError, an event or a log line: only an
// RFC 6749 style error code (lower-case letters and `_`, at most 64) is kept. Anything else may echo a token, a code or
// a secret back (`invalid_grant rt_…`) and is dropped. Every provider's mapper and the engine go through here.
import { SdkError } from "@sdk/core";

const ERROR_CODE = /^[a-z_]{1,64}$/;

/** The provider's error code when it is one, else undefined. */
export function providerErrorCode(value: unknown): string | undefined {
  return typeof value === "string" && ERROR_CODE.test(value) ? value : undefined;
}

/**
 * An error a provider hook built, checked once more at the engine's boundary: when its `details.provider_error` is not
 * a clean code, the error is rebuilt with the same code and a message and details that carry no provider text.
 */
export function withSafeProviderError(error: SdkError, provider: string, status: number): SdkError {
  const raw = error.details.provider_error;
  if (raw === undefined || providerErrorCode(raw) !== undefined) return error;
  return new SdkError(error.code, `${provider} answered HTTP ${status} with an error code that is not an RFC 6749 error code (dropped).`, {
    details: { provider, status },
    retryable: error.retryable,
  });
}
