// Test helper: the access token an SDK keeps under a cache key, opened the way the SDK opens it. With encryption keys
// the raw cache value is an envelope bound to the key name, so tests read tokens through here, not with JSON.parse.
import { type CacheStore, type EncryptionKey } from "@sdk/core";
import { CredentialCipher } from "@sdk/core/provider-kit";
import { tokenCodec, type CachedToken } from "../token-cache.js";

/** `keys`: the SDK's `encryption.keys` (omit for an SDK that keeps 1.x plaintext tokens). */
export async function readCachedToken(cache: Pick<CacheStore, "get">, key: string, keys?: readonly EncryptionKey[]): Promise<CachedToken | undefined> {
  const cipher = new CredentialCipher(keys ?? []);
  return tokenCodec({ cipher, accessTokenCache: keys ? "encrypted" : "plaintext" }).decode(key, await cache.get(key));
}
