// The one error class of the SDK. Owns the stable code list and the retryable flag.
// It must never carry a secret: messages and details are built from field names and codes, never values.
import type { PendingInstall } from "./provider.js";

/** Every code `@sdk/core` and `@sdk/oauth` raise. Provider packages add their own (see `SdkErrorDetailsMap`). Stable across minor versions. */
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
  "issuer_mismatch",
  "authorization_denied",
  "invalid_client",
  "provider_error",
  "provider_response_invalid",
  "provider_unavailable",
  "provider_rate_limited",
  "refresh_timeout",
  "webhook_signature_invalid",
  "webhook_replayed",
  "install_confirmation_required",
  "pending_install_expired",
  "pending_install_already_confirmed",
  "pending_install_replayed",
] as const;

/** Facts any error may carry: never a secret, only field names, ids, statuses and provider error codes. */
export interface SdkErrorDetailsBase {
  /** The input or option at fault, e.g. `"createConnection.credentials.api_key"`. */
  field?: string;
  provider?: string;
  integration_id?: string;
  [detail: string]: unknown;
}

/** One issue of a `validation_failed` error. */
export interface ValidationIssue {
  field: string;
  /** zod's issue code, e.g. `"too_small"`. */
  code: string;
  message: string;
}

type CoreCode = (typeof SDK_ERROR_CODES)[number];

/**
 * `details` per code. Provider packages add their codes by augmenting this interface
 * (`declare module "@sdk/core" { interface SdkErrorDetailsMap { my_code: { ... } } }`), so importing a provider
 * types its codes and `SdkError.is(error, "its_code")` narrows `error.details`.
 */
export interface SdkErrorDetailsMap extends Record<Exclude<CoreCode, "validation_failed" | "provider_not_found" | "legacy_signature" | "install_confirmation_required">, SdkErrorDetailsBase> {
  validation_failed: SdkErrorDetailsBase & { field: string; issues?: ValidationIssue[] };
  /** `field` names the option at fault when one is (`slack.redirectUri`); a factory's options list every issue. */
  misconfigured: SdkErrorDetailsBase & { issues?: ValidationIssue[] };
  legacy_signature: SdkErrorDetailsBase & { field: string };
  provider_not_found: SdkErrorDetailsBase & { field: string; provider: string; registered: string[] };
  /** The parked install: what to show and the id to confirm (see `confirmPendingInstall`). */
  install_confirmation_required: SdkErrorDetailsBase & PendingInstall;
}

/** Every code an `SdkError` can carry: core's, plus those of the provider packages your program imports. */
export type SdkErrorCode = keyof SdkErrorDetailsMap & string;

/** What `details` holds for a code. */
export type SdkErrorDetails<C extends SdkErrorCode = SdkErrorCode> = SdkErrorDetailsMap[C];

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

export interface SdkErrorOptions<C extends SdkErrorCode = SdkErrorCode> {
  /** Structured, secret-free facts: field names, ids, HTTP statuses, provider error codes. */
  details?: SdkErrorDetails<C>;
  /** Overrides the default retryable flag of the code. */
  retryable?: boolean;
  cause?: unknown;
}

export class SdkError<C extends SdkErrorCode = SdkErrorCode> extends Error {
  readonly code: C;
  /** Typed per code once narrowed: `if (SdkError.is(error, "provider_not_found")) error.details.registered`. */
  readonly details: SdkErrorDetails<C>;
  readonly retryable: boolean;

  constructor(code: C, message: string, options: SdkErrorOptions<C> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SdkError";
    this.code = code;
    this.details = options.details ?? ({} as SdkErrorDetails<C>);
    this.retryable = options.retryable ?? RETRYABLE.has(code);
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * True for an SdkError from any copy of this package (a service may load two versions of `@sdk/core`),
   * optionally of one of the given codes.
   */
  static is<C extends SdkErrorCode = SdkErrorCode>(value: unknown, ...codes: C[]): value is SdkError<C> {
    if (typeof value !== "object" || value === null || (value as Record<symbol, unknown>)[BRAND] !== true) {
      return false;
    }
    return codes.length === 0 || codes.includes((value as SdkError<C>).code);
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}
