// Turns any thrown value into what the error page (or a JSON client) may see: a stable code, an HTTP status and a
// message. SdkError messages are shown (the SDK keeps secrets out of them and says what to do); any other error
// is reduced to a generic message, because its text may quote a request, a driver command or a token.
import { SdkError } from "@sdk/core";
import { ServiceError } from "./service-error.js";

export interface ErrorDescription {
  status: number;
  code: string;
  title: string;
  message: string;
  retryable: boolean;
}

const STATUS_BY_CODE: Record<string, number> = {
  integration_not_found: 404,
  provider_not_found: 404,
  reauth_required: 409,
  integration_revoked: 409,
  invalid_client: 502,
  provider_error: 502,
  provider_response_invalid: 502,
  provider_unavailable: 502,
  provider_rate_limited: 503,
  cache_unavailable: 503,
  store_unavailable: 503,
  refresh_timeout: 503,
  misconfigured: 500,
  decryption_failed: 500,
};

const INSTALL_CODES = /^(state_|site_|atlassian_|pending_install_|authorization_denied$|validation_failed$)/;

export function describeError(error: unknown): ErrorDescription {
  if (SdkError.is(error)) {
    const install = INSTALL_CODES.test(error.code);
    return {
      status: STATUS_BY_CODE[error.code] ?? (install ? 400 : 500),
      code: error.code,
      title: install ? "The connection could not be completed" : "The integration request failed",
      message: error.message,
      retryable: error.retryable,
    };
  }
  if (error instanceof ServiceError) {
    return { status: error.status, code: error.code, title: error.status === 404 ? "Not found" : "Request refused", message: error.message, retryable: false };
  }
  const status = typeof (error as { status?: unknown })?.status === "number" ? (error as { status: number }).status : 500;
  if (status >= 400 && status < 500) {
    return { status, code: "bad_request", title: "Request refused", message: "The request could not be read.", retryable: false };
  }
  return { status: 500, code: "internal_error", title: "Something went wrong", message: "The service failed to handle this request. Try again; if it keeps failing, tell its operators the time it happened.", retryable: false };
}
