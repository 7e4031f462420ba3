// The one error class of the SDK. Owns the stable code list and the retryable flag.
// It must never carry a secret: messages and details are built from field names and codes, never values.

/** Every code an `SdkError` can carry. Codes are stable across minor versions. */
export const SDK_ERROR_CODES = [
  "validation_failed",
  "legacy_signature",
  "misconfigured",
  "unsupported_operation",
  "provider_not_found",
  "integration_not_found",
  "integration_exists",
  "integration_conflict",
  "integration_revoked",
  "reauth_required",
  "decryption_failed",
  "cache_unavailable",
  "store_unavailable",
  "state_missing",
  "state_malformed",
  "state_bad_signature",
  "state_expired",
  "state_provider_mismatch",
  "state_binding_mismatch",
  "state_replayed",
  "authorization_denied",
  "invalid_client",
  "provider_error",
  "provider_response_invalid",
  "provider_unavailable",
  "provider_rate_limited",
  "refresh_timeout",
  "atlassian_no_sites",
  "atlassian_site_selection_required",
  "site_not_in_selection",
  "site_selection_expired",
  "webhook_signature_invalid",
  "webhook_replayed",
  "install_confirmation_required",
  "pending_install_expired",
  "pending_install_already_confirmed",
  "pending_install_replayed",
] as const;

export type SdkErrorCode = (typeof SDK_ERROR_CODES)[number];

/** Codes that a caller may retry without changing anything. */
const RETRYABLE: ReadonlySet<SdkErrorCode> = new Set<SdkErrorCode>([
  "integration_conflict",
  "cache_unavailable",
  "store_unavailable",
  "provider_unavailable",
  "provider_rate_limited",
  "refresh_timeout",
]);

const BRAND = Symbol.for("@sdk/core/SdkError");

export interface SdkErrorOptions {
  /** Structured, secret-free facts: field names, ids, HTTP statuses, provider error codes. */
  details?: Record<string, unknown>;
  /** Overrides the default retryable flag of the code. */
  retryable?: boolean;
  cause?: unknown;
}

export class SdkError extends Error {
  readonly code: SdkErrorCode;
  readonly details: Record<string, unknown>;
  readonly retryable: boolean;

  constructor(code: SdkErrorCode, message: string, options: SdkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SdkError";
    this.code = code;
    this.details = options.details ?? {};
    this.retryable = options.retryable ?? RETRYABLE.has(code);
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * True for an SdkError from any copy of this package (a service may load two versions of `@sdk/core`),
   * optionally of one of the given codes.
   */
  static is(value: unknown, ...codes: SdkErrorCode[]): value is SdkError {
    if (typeof value !== "object" || value === null || (value as Record<symbol, unknown>)[BRAND] !== true) {
      return false;
    }
    return codes.length === 0 || codes.includes((value as SdkError).code);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}
