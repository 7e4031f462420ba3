// The HTTP client of every token, revoke and provider call the engine makes: form or JSON bodies, client_secret_basic
// or client_secret_post, a deadline per attempt (AbortSignal), bounded retries with backoff on 5xx / 429 / network
// errors honouring Retry-After, never a retry on other 4xx. Error bodies map to SdkError codes without secrets.
import { tokenRequestAttributes, traced } from "./oauth-telemetry.js";
import { SdkError } from "@sdk/core";
import { providerErrorCode, withSafeProviderError } from "./provider-error-code.js";
import { DEFAULT_RESPONSE_LIMITS, jsonTooDeep, limitExceeded, readBoundedText, type ResponseLimits } from "./read-bounded-body.js";
import { wallClockNow } from "./wall-clock.js";

export type ClientAuthMethod = "client_secret_basic" | "client_secret_post";

export interface RetryOptions {
  /** Total attempts including the first. @default 3 */
  attempts?: number;
  /** First backoff delay; doubles each retry with jitter. @default 200 */
  baseDelayMs?: number;
  /** Longest backoff delay, and longest Retry-After honoured before giving up. @default 5000 */
  maxDelayMs?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** JSON body, or undefined when the body was empty. */
  body: unknown;
}

/** A provider hook that recognises its own error shapes (Slack `ok:false`, Sentry `detail`). Undefined = not an error it knows. */
export type ErrorMapper = (answer: HttpAnswer) => SdkError | undefined;

export interface TokenClientOptions {
  provider: string;
  fetch: typeof globalThis.fetch;
  clientId: string;
  clientSecret: string;
  /** @default "client_secret_basic" (RFC 6749 2.3.1: servers MUST support it) */
  clientAuth?: ClientAuthMethod;
  /** @default "form" (RFC 6749 4.1.3) */
  format?: "form" | "json";
  /** Deadline of one attempt in ms. @default 10000 */
  timeoutMs?: number;
  retry?: RetryOptions;
  mapError?: ErrorMapper;
  /**
   * Retry after a timeout or network error. Off for refreshes at providers that delete the old refresh token at
   * once: the first attempt may have rotated it, and a retry would present a dead token. @default true
   */
  retryOnTimeout?: boolean;
  /** Injectable for tests. @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
  /** Body size and JSON depth limits of every answer read. @default { maxBodyBytes: 1 MiB, maxJsonDepth: 32 } */
  limits?: ResponseLimits;
}

const RFC_CODES: Record<string, { code: "reauth_required" | "invalid_client" | "provider_error"; hint: string }> = {
  invalid_grant: { code: "reauth_required", hint: "the grant (code or refresh token) is invalid, expired or revoked: the user must connect again" },
  invalid_client: { code: "invalid_client", hint: "client authentication failed: check clientId / clientSecret" },
  unauthorized_client: { code: "invalid_client", hint: "this client may not use this grant type" },
  invalid_request: { code: "provider_error", hint: "the provider rejected the request as malformed" },
  unsupported_grant_type: { code: "provider_error", hint: "the provider does not support this grant type" },
  invalid_scope: { code: "provider_error", hint: "the provider rejected the requested scope" },
};

/**
 * Maps an RFC 6749 section 5.2 error body to an SdkError. Only a clean error code is kept (providerErrorCode); the
 * description is never copied (it may echo input).
 */
export function rfcError(provider: string, answer: HttpAnswer): SdkError {
  const body = answer.body as { error?: unknown } | undefined;
  const error = providerErrorCode(body?.error);
  const known = error && Object.hasOwn(RFC_CODES, error) ? RFC_CODES[error] : undefined;
  if (known) {
    return new SdkError(known.code, `${provider}: ${known.hint} (HTTP ${answer.status}, ${error}).`, { details: { provider, status: answer.status, provider_error: error } });
  }
  return new SdkError("provider_error", `${provider} answered HTTP ${answer.status}${error ? ` (${error})` : ""}.`, {
    details: { provider, status: answer.status, provider_error: error },
  });
}

function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

export class TokenClient {
  readonly #options: TokenClientOptions;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: TokenClientOptions) {
    this.#options = options;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** POSTs `params` to a token-style endpoint with client authentication; returns the 2xx answer or throws. */
  post(url: string, params: Record<string, string>, options: { clientAuth?: boolean; format?: "form" | "json"; deadline?: number; mapError?: ErrorMapper } = {}): Promise<HttpAnswer> {
    return traced("sdk.oauth.token_request", tokenRequestAttributes(this.#options.provider, url, params), () => this.#post(url, params, options), "client", (answer) => ({ "http.response.status_code": answer.status }));
  }

  async #post(url: string, params: Record<string, string>, options: { clientAuth?: boolean; format?: "form" | "json"; deadline?: number; mapError?: ErrorMapper }): Promise<HttpAnswer> {
    const format = options.format ?? this.#options.format ?? "form";
    const headers: Record<string, string> = { accept: "application/json" };
    const fields = { ...params };
    if (options.clientAuth !== false) {
      if ((this.#options.clientAuth ?? "client_secret_basic") === "client_secret_basic") {
        const user = encodeURIComponent(this.#options.clientId);
        const pass = encodeURIComponent(this.#options.clientSecret);
        headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
      } else {
        fields.client_id = this.#options.clientId;
        fields.client_secret = this.#options.clientSecret;
      }
    }
    const body = format === "json" ? JSON.stringify(fields) : new URLSearchParams(fields).toString();
    headers["content-type"] = format === "json" ? "application/json" : "application/x-www-form-urlencoded";
    return this.send(url, { method: "POST", headers, body }, { ...(options.deadline === undefined ? {} : { deadline: options.deadline }), ...(options.mapError ? { mapError: options.mapError } : {}) });
  }

  /** Sends one request with deadline and retries; returns the 2xx answer or throws an SdkError. */
  /**
   * `deadline` (ms since the epoch, wall clock) bounds the whole call, retries and waits included: a refresh passes
   * its lock's lease end, so no attempt outlives the lease and races the next holder. `mapError` classifies a refused
   * answer (HTTP 4xx) of this one call before the client's own mapper (a refresh's answers, e.g.).
   */
  async send(url: string, init: { method: string; headers: Record<string, string>; body?: string }, options: { deadline?: number; mapError?: ErrorMapper } = {}): Promise<HttpAnswer> {
    const { provider } = this.#options;
    const attempts = Math.max(1, this.#options.retry?.attempts ?? 3);
    const baseDelay = this.#options.retry?.baseDelayMs ?? 200;
    const maxDelay = this.#options.retry?.maxDelayMs ?? 5000;
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    const maxBytes = this.#options.limits?.maxBodyBytes ?? DEFAULT_RESPONSE_LIMITS.maxBodyBytes;
    const maxDepth = this.#options.limits?.maxJsonDepth ?? DEFAULT_RESPONSE_LIMITS.maxJsonDepth;
    let last: SdkError | undefined;
    const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
    const timedOut = () =>
      last ??
      new SdkError("provider_unavailable", `${provider} did not answer before the refresh deadline.`, { details: { provider, reason: "timeout", attempts: 0 } });
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const remaining = deadline - wallClockNow();
      if (remaining <= 0) throw timedOut();
      let wait = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
      let answer: HttpAnswer;
      let breach: SdkError | undefined;
      try {
        const response = await this.#options.fetch(url, { ...init, signal: AbortSignal.timeout(Math.max(1, Math.floor(Math.min(timeoutMs, remaining)))), redirect: "manual" });
        const read = await readBoundedText(response, maxBytes);
        if (typeof read !== "string") breach = limitExceeded(provider, "maxBodyBytes", maxBytes, response.status);
        else if (jsonTooDeep(read, maxDepth)) breach = limitExceeded(provider, "maxJsonDepth", maxDepth, response.status);
        const text = typeof read === "string" && !breach ? read : "";
        let body: unknown;
        if (text.trim() !== "") {
          try {
            body = JSON.parse(text) as unknown;
          } catch {
            body = Symbol.for("@sdk/oauth/unparseable");
          }
        }
        answer = { status: response.status, headers: response.headers, body };
      } catch (cause) {
        const timedOut = cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "AbortError");
        last = new SdkError("provider_unavailable", `${provider} did not answer ${timedOut ? `within ${timeoutMs} ms` : "(network error)"}.`, {
          details: { provider, reason: timedOut ? "timeout" : "network", attempts: attempt },
          cause: cause instanceof Error ? new Error(cause.name) : undefined,
        });
        if (this.#options.retryOnTimeout === false) throw last;
        if (attempt < attempts) {
          if (wallClockNow() + wait >= deadline) throw last;
          await this.#sleep(wait);
        }
        continue;
      }
      // A body past a limit is never retried: the provider would send the same again.
      if (breach) throw breach;
      const refused = answer.status >= 400 && answer.status < 500;
      const hooked = (refused ? options.mapError?.(answer) : undefined) ?? this.#options.mapError?.(answer);
      const mapped = hooked && withSafeProviderError(hooked, provider, answer.status);
      const rateLimited = answer.status === 429 || mapped?.code === "provider_rate_limited";
      if (rateLimited) {
        const after = retryAfterMs(answer.headers, wallClockNow());
        last = new SdkError("provider_rate_limited", `${provider} is rate limiting these calls; retry later.`, {
          details: { provider, status: answer.status, retry_after_ms: after, attempts: attempt },
        });
        if (after !== undefined && after > maxDelay) throw last;
        if (after !== undefined) wait = after;
        if (attempt < attempts) {
          if (wallClockNow() + wait >= deadline) throw last;
          await this.#sleep(wait);
        }
        continue;
      }
      if (answer.status >= 500 || mapped?.code === "provider_unavailable") {
        last = mapped?.code === "provider_unavailable" ? mapped : new SdkError("provider_unavailable", `${provider} answered HTTP ${answer.status}; retry later.`, {
          details: { provider, status: answer.status, attempts: attempt },
        });
        if (attempt < attempts) {
          if (wallClockNow() + wait >= deadline) throw last;
          await this.#sleep(wait);
        }
        continue;
      }
      if (mapped) throw mapped;
      if (typeof answer.body === "symbol") {
        throw new SdkError("provider_response_invalid", `${provider} answered HTTP ${answer.status} with a body that is not JSON.`, {
          details: { provider, status: answer.status },
        });
      }
      if (answer.status >= 200 && answer.status < 300) return answer;
      throw rfcError(provider, answer);
    }
    throw last!;
  }
}
