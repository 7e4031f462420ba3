// Reads a provider's answer with hard limits: at most `maxBytes` of body (checked against Content-Length first, then
// while streaming, so an oversized body is never buffered) and at most `maxDepth` levels of JSON nesting (checked on
// the text before JSON.parse). A breach is a `provider_error` naming the limit; the rest of the body is not read.
import { SdkError } from "@sdk/core";

export interface ResponseLimits {
  /** Largest body read from a token, revoke or provider API answer, in bytes. @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
  /** Deepest JSON nesting accepted in such a body. @default 32 */
  maxJsonDepth?: number;
  /** Most scopes accepted in one token response (code exchange and refresh). @default 500 */
  maxScopes?: number;
}

export const DEFAULT_RESPONSE_LIMITS: Required<ResponseLimits> = { maxBodyBytes: 1024 * 1024, maxJsonDepth: 32, maxScopes: 500 };

export function limitExceeded(provider: string, limit: keyof ResponseLimits, value: number, status?: number): SdkError {
  const what = { maxBodyBytes: `a body larger than ${value} bytes`, maxJsonDepth: `JSON nested deeper than ${value} levels`, maxScopes: `more than ${value} scopes` }[limit];
  return new SdkError("provider_error", `${provider} answered with ${what} (responseLimits.${limit}); the answer was refused.`, {
    details: { provider, limit, limit_value: value, ...(status !== undefined ? { status } : {}) },
  });
}

/** The body as text, or the limit it broke. */
export async function readBoundedText(response: Response, maxBytes: number): Promise<string | { exceeded: "maxBodyBytes" }> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return { exceeded: "maxBodyBytes" };
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { exceeded: "maxBodyBytes" };
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString("utf8");
}

/** True when the JSON text nests deeper than `maxDepth` (strings are skipped, so brackets inside them do not count). */
export function jsonTooDeep(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 92 /* \ */) index++;
      else if (char === 34 /* " */) inString = false;
    } else if (char === 34) inString = true;
    else if (char === 123 /* { */ || char === 91 /* [ */) {
      if (++depth > maxDepth) return true;
    } else if (char === 125 /* } */ || char === 93 /* ] */) depth--;
  }
  return false;
}
