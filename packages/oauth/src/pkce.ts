// PKCE (RFC 7636): S256 only. The verifier never leaves the server: it waits in the cache under the state nonce.
import { createHash, randomBytes } from "node:crypto";

/** BASE64URL(SHA256(ASCII(verifier))), no padding. */
export function s256Challenge(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** A 43-character verifier from 32 random octets and its S256 challenge. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: s256Challenge(verifier) };
}
