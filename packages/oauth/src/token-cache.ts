// Access tokens in the cache under the 1.x key format. The value is JSON { access_token, token_type, expires_at,
// scopes } so a reader knows the expiry; the key's TTL is the token's lifetime minus the skew, so nothing stale stays.
// With encryption keys the JSON is sealed in an AES-256-GCM envelope bound to the key name (TokenCodec); a value that
// does not open (planted, moved from another key, 1.x plaintext) reads as a miss and is replaced by a refresh.
import { type CacheStore, type Integration } from "@sdk/core";
import { lazySchema, accessTokenKey, isEnvelope, type ProviderContext } from "@sdk/core/provider-kit";
import type { z } from "zod";

export interface CachedToken {
  access_token: string;
  token_type: string;
  /** Milliseconds since the epoch. */
  expires_at: number;
  scopes: string[];
  /** When the SDK obtained it (ms since the epoch); with `expires_at` it gives the token's lifetime. */
  issued_at?: number;
}

/**
 * The part of a token's lifetime that may be spent in the refresh skew. A skew longer than that (60 s against a 5 s
 * token) would refresh, and rotate, on every resolve and never cache.
 */
export const MAX_SKEW_FRACTION = 0.5;

/** The skew for one token: the configured one, capped at `MAX_SKEW_FRACTION` of its lifetime when that is known. */
export function effectiveSkewMs(token: CachedToken, skewMs: number): number {
  if (token.issued_at === undefined || !(token.expires_at > token.issued_at)) return skewMs;
  return Math.min(skewMs, Math.floor((token.expires_at - token.issued_at) * MAX_SKEW_FRACTION));
}

const cachedTokenSchema = lazySchema((z) =>
  z.object({
    access_token: z.string().min(1),
    token_type: z.string(),
    expires_at: z.number(),
    scopes: z.array(z.string()),
    issued_at: z.number().optional(),
  }),
);

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
    return {
      access_token: token.access_token,
      token_type: token.token_type,
      expires_at: token.expires_at,
      scopes: token.scopes,
      ...(typeof token.issued_at === "number" ? { issued_at: token.issued_at } : {}),
    };
  }
  const parsed = cachedTokenSchema().safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** How a token is written to and read from its cache key. */
export interface TokenCodec {
  encode(key: string, token: CachedToken): string;
  decode(key: string, raw: string | undefined): CachedToken | undefined;
}

/**
 * Most opened tokens a codec remembers (see `openedTokenMemo`): about 300 bytes each, so about 3 MB at most.
 * Past it the oldest remembered is forgotten (and just opened again on its next read).
 */
const OPENED_TOKEN_MEMO_SIZE = 10_000;

/**
 * A codec's `decode` that remembers, per cache key, the token it opened and the exact cache value it opened it from.
 * The next read of that same value (an L1 hit, or Redis answering the unchanged entry) skips AES-GCM and JSON: equal
 * input, equal output, so this can never serve anything the value does not hold. Any change to the entry (a refresh,
 * an invalidation, a write by another process) is a different value and is opened afresh. Each caller gets its own copy.
 */
function openedTokenMemo(decode: (key: string, raw: string) => CachedToken | undefined): TokenCodec["decode"] {
  const opened = new Map<string, { raw: string; token: CachedToken }>();
  return (key, raw) => {
    if (raw === undefined) return undefined;
    const known = opened.get(key);
    if (known !== undefined && known.raw === raw) return { ...known.token, scopes: [...known.token.scopes] };
    const token = decode(key, raw);
    if (token === undefined) {
      opened.delete(key);
      return undefined;
    }
    if (known === undefined && opened.size >= OPENED_TOKEN_MEMO_SIZE) opened.delete(opened.keys().next().value!);
    opened.set(key, { raw, token: { ...token, scopes: [...token.scopes] } });
    return token;
  };
}

/** 1.x JSON, readable by gateways that read the access-token keys directly. */
export const plaintextTokenCodec: TokenCodec = {
  encode: (_key, token) => JSON.stringify(token),
  decode: openedTokenMemo((_key, raw) => decodeCachedToken(raw)),
};

const codecs = new WeakMap<ProviderContext["cipher"], TokenCodec>();

/** The codec `createSDK({ encryption })` chose: sealed with the credential cipher (AAD = key name) unless "plaintext". */
export function tokenCodec(context: Pick<ProviderContext, "cipher" | "accessTokenCache">): TokenCodec {
  if (context.accessTokenCache !== "encrypted" || !context.cipher.enabled) return plaintextTokenCodec;
  let codec = codecs.get(context.cipher);
  if (!codec) {
    const cipher = context.cipher;
    codec = {
      encode: (key, token) => JSON.stringify(cipher.encrypt(key, "access_token", JSON.stringify(token))),
      decode: openedTokenMemo((key, raw) => {
        try {
          const envelope: unknown = JSON.parse(raw);
          return isEnvelope(envelope) ? decodeCachedToken(cipher.decrypt(key, "access_token", envelope) as string) : undefined;
        } catch {
          return undefined;
        }
      }),
    };
    codecs.set(cipher, codec);
  }
  return codec;
}

/** Caches the token for its lifetime minus the skew (see `effectiveSkewMs`); a token already inside it is not cached. */
export async function storeCachedToken(cache: CacheStore, key: string, token: CachedToken, nowMs: number, skewMs: number, codec: TokenCodec = plaintextTokenCodec): Promise<void> {
  const ttl = Math.floor(token.expires_at - effectiveSkewMs(token, skewMs) - nowMs);
  if (ttl > 0) await cache.set(key, codec.encode(key, token), ttl);
}

/** True while the token is outside the refresh skew. */
export function isFresh(token: CachedToken | undefined, nowMs: number, skewMs: number): token is CachedToken {
  return token !== undefined && token.expires_at - effectiveSkewMs(token, skewMs) > nowMs;
}
