// The credential-encryption key tests and demos use: fresh random bytes on every call, so no fixed key ships in a
// published package (nobody can copy one into production) and no test depends on a key's value.
import { randomBytes } from "node:crypto";
import type { EncryptionKey } from "./credential-cipher.js";

/** A random 32-byte key for `createSDK({ encryption: { keys: [testEncryptionKey()] } })`. Keep it to reopen the same store. */
export function testEncryptionKey(id = "test-k1"): EncryptionKey {
  return { id, key: randomBytes(32).toString("base64") };
}
