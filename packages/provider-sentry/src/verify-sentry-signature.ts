// Sentry webhook signatures: `Sentry-Hook-Signature` is the hex HMAC-SHA256 of the raw request body under the
// app's client secret. Compared in constant time; usable on its own in any HTTP framework.
import { createHmac, timingSafeEqual } from "node:crypto";

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * True when `signature` (the `Sentry-Hook-Signature` header) is the HMAC-SHA256 of `rawBody` under `clientSecret`.
 * Pass the body exactly as received: a re-serialised JSON object does not verify.
 * @see https://docs.sentry.io/organization/integrations/integration-platform/webhooks/
 */
export function verifySentrySignature(rawBody: string | Uint8Array, signature: string | null | undefined, clientSecret: string): boolean {
  if (typeof signature !== "string" || !HEX_SHA256.test(signature.trim()) || !clientSecret) return false;
  const expected = createHmac("sha256", clientSecret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(signature.trim(), "hex"), expected);
}
