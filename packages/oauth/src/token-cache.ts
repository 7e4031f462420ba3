// Access tokens in the cache under the 1.x key format. The value is JSON { access_token, token_type, expires_at,
// scopes } so a reader knows the expiry; the key's TTL is the token's lifetime minus the skew, so nothing stale stays.
import { accessTokenKey, type CacheStore, type Integration } from "@sdk/core";
import { z } from "zod";

export interface CachedToken {
  access_token: string;
  token_type: string;
  /** Milliseconds since the epoch. */
  expires_at: number;
  scopes: string[];
}

const cachedTokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_at: z.number(),
  scopes: z.array(z.string()),
});

/** The cache key of one chain's access token ("" is the primary chain). */
export function tokenKey(integration: Pick<Integration, "provider" | "id" | "account_id">, chain: string): string {
  return accessTokenKey(integration.provider, integration.id, integration.account_id, chain || undefined);
}

export function decodeCachedToken(raw: string | undefined): CachedToken | undefined {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  // The hot path of every resolve: the usual shape is checked by hand, anything else goes through the schema.
  const token = value as Partial<CachedToken> | null;
  if (
    typeof token === "object" && token !== null && typeof token.access_token === "string" && token.access_token.length > 0 &&
    typeof token.token_type === "string" && typeof token.expires_at === "number" && Array.isArray(token.scopes) && token.scopes.every((scope) => typeof scope === "string")
  ) {
    return { access_token: token.access_token, token_type: token.token_type, expires_at: token.expires_at, scopes: token.scopes };
  }
  const parsed = cachedTokenSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Caches the token for its lifetime minus `skewMs`; a token already inside the skew is not cached. */
export async function storeCachedToken(cache: CacheStore, key: string, token: CachedToken, nowMs: number, skewMs: number): Promise<void> {
  const ttl = Math.floor(token.expires_at - skewMs - nowMs);
  if (ttl > 0) await cache.set(key, JSON.stringify(token), ttl);
}

/** True while the token is outside the refresh skew. */
export function isFresh(token: CachedToken | undefined, nowMs: number, skewMs: number): token is CachedToken {
  return token !== undefined && token.expires_at - skewMs > nowMs;
}
