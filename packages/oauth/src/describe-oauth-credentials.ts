// The OAuth half of `sdk.describeCredentials`: per token chain, which refresh token the record holds (a digest that
// changes with every rotation), whether a rotation is still waiting in the journal, and the access token's expiry.
// It reads the record and the cache, never writes, and returns no token and nothing a token can be recovered from.
import { createHash } from "node:crypto";
import { SdkError, type Integration, type TokenChainView } from "@sdk/core";
import type { ProviderContext } from "@sdk/core/provider-kit";
import { chainFields } from "./chain-credentials.js";
import { tokenCodec, tokenKey } from "./token-cache.js";

/** `rt_` + 16 base64url characters (96 bits) of the token's SHA-256: enough to tell generations apart, not to find one. */
export function refreshTokenGeneration(token: string): string {
  return `rt_${createHash("sha256").update(token).digest("base64url").slice(0, 16)}`;
}

export interface DescribeChainsOptions {
  /** The provider's token chains ("" is the primary one). */
  chains: readonly string[];
  /** Whether the rotation journal says the stored refresh token of `chain` was already rotated by the provider. */
  rotationPending(integration: Integration, chain: string, stored: string): Promise<boolean>;
}

/** A credential field's value, or undefined when it is absent or its key is not in the ring (then it is not described). */
function readable(integration: Integration, field: string): unknown {
  try {
    return integration.credentials[field];
  } catch (error) {
    if (SdkError.is(error, "decryption_failed")) return undefined;
    throw error;
  }
}

const iso = (ms: unknown) => (typeof ms === "number" && Number.isFinite(ms) ? new Date(ms).toISOString() : null);

export async function describeOAuthChains(context: ProviderContext, integration: Integration, options: DescribeChainsOptions): Promise<TokenChainView[]> {
  const cache = context.requireCache();
  const codec = tokenCodec(context);
  const views: TokenChainView[] = [];
  for (const chain of options.chains) {
    const names = chainFields(chain);
    const present = Object.hasOwn(integration.credentials, names.refresh);
    const refreshToken = present ? readable(integration, names.refresh) : undefined;
    const key = tokenKey(integration, chain);
    const cached = codec.decode(key, await cache.get(key));
    const storedAccess = !present && Object.hasOwn(integration.credentials, names.access);
    // A chain the grant never had (Slack's user chain without user scopes) is left out; the primary one is always shown.
    if (chain !== "" && !present && !storedAccess && !cached) continue;
    const stored = typeof refreshToken === "string";
    views.push({
      chain,
      refresh_token: {
        present,
        generation: stored ? refreshTokenGeneration(refreshToken) : null,
        rotation_pending: stored ? await options.rotationPending(integration, chain, refreshToken) : false,
      },
      access_token: cached
        ? { stored_in: "cache", expires_at: iso(cached.expires_at), obtained_at: iso(cached.issued_at), scopes: [...cached.scopes] }
        : storedAccess
          ? { stored_in: "record", expires_at: iso(readable(integration, names.expiresAt)), obtained_at: null, scopes: scopesOf(readable(integration, names.scopes), integration.scopes) }
          : { stored_in: null, expires_at: null, obtained_at: null, scopes: [] },
    });
  }
  return views;
}

function scopesOf(value: unknown, fallback: string[]): string[] {
  return Array.isArray(value) && value.every((scope) => typeof scope === "string") ? [...value] : [...fallback];
}
