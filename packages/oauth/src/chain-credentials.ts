// Where each token chain's values live ("" is the primary chain; Slack adds "user"): the credential field names per
// chain, the credentials schema `createConnection` checks, the fields a token answer turns into, and the runtime a
// resolve returns. Pure data shaping: no cache, no store, no network.
import { SdkError, type Integration } from "@sdk/core";
import { parseInput, zod, type RuntimeFields } from "@sdk/core/provider-kit";
import type { z } from "zod";
import type { ChainTokens, EngineSettings } from "./oauth-provider-options.js";
import type { CachedToken } from "./token-cache.js";
import type { TokenFields } from "./token-response.js";

/** Credential field names of one chain ("" is the primary chain). */
export function chainFields(chain: string) {
  const prefix = chain ? `${chain}_` : "";
  return {
    refresh: `${prefix}refresh_token`,
    access: `${prefix}access_token`,
    expiresAt: `${prefix}access_token_expires_at`,
    tokenType: `${prefix}token_type`,
    scopes: `${prefix}scopes`,
  };
}

/** Whether a credential field holds a value, without reading (so decrypting) it when it is still sealed. */
export function hasCredential(credentials: Record<string, unknown>, field: string): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(credentials, field);
  if (!descriptor) return false;
  return descriptor.get ? true : Boolean(descriptor.value);
}

/** A credentials patch for a compare-and-set write, or undefined when nothing needs writing. */
export type CredentialChange = { credentials: Record<string, unknown> } | undefined;

type ChainOptions = Pick<EngineSettings, "id" | "chains" | "defaultExpiresInSeconds" | "apiBaseUrl" | "runtime">;

export class ChainCredentials {
  /** Every chain of this provider, the primary one ("") first. */
  readonly chains: readonly string[];
  readonly #options: ChainOptions;
  readonly #schema: z.ZodType<Record<string, unknown>>;

  constructor(options: ChainOptions) {
    this.#options = options;
    this.chains = ["", ...(options.chains ?? [])];
    const z = zod();
    const shape: Record<string, z.ZodType> = {};
    for (const chain of this.chains) {
      const fields = chainFields(chain);
      shape[fields.refresh] = z.string().min(1).max(16_384).optional();
      shape[fields.access] = z.string().min(1).max(16_384).optional();
      shape[fields.expiresAt] = z.number().nullable().optional();
      shape[fields.tokenType] = z.string().max(64).optional();
      shape[fields.scopes] = z.array(z.string().max(512)).max(500).optional();
    }
    this.#schema = z.strictObject(shape).refine(
      (credentials) => this.chains.some((chain) => credentials[chainFields(chain).refresh] || credentials[chainFields(chain).access]),
      "must hold a refresh_token or an access_token",
    ) as unknown as z.ZodType<Record<string, unknown>>;
  }

  parse(credentials: unknown, field: string): Record<string, unknown> {
    return parseInput(this.#schema, credentials, field);
  }

  /** When a token of this answer expires; a provider that omits `expires_in` gets the configured lifetime, never "forever". */
  expiresAt(fields: TokenFields, nowMs: number): number {
    if (fields.expires_at !== undefined) return fields.expires_at;
    return nowMs + (fields.expires_in ?? this.#options.defaultExpiresInSeconds ?? 3600) * 1000;
  }

  /** The credential fields of one chain as a callback returns them (the access token is moved to the cache on save). */
  fromAnswer(chain: string, fields: TokenFields, nowMs: number): Record<string, unknown> {
    const names = chainFields(chain);
    const out: Record<string, unknown> = {
      [names.access]: fields.access_token,
      [names.tokenType]: fields.token_type ?? "Bearer",
      [names.scopes]: fields.scopes ?? [],
    };
    if (fields.refresh_token) {
      out[names.refresh] = fields.refresh_token;
      out[names.expiresAt] = this.expiresAt(fields, nowMs);
    } else {
      // A token without a refresh token is the credential itself; it expires only when the provider said so.
      out[names.expiresAt] = fields.expires_at ?? (fields.expires_in !== undefined ? nowMs + fields.expires_in * 1000 : null);
    }
    return out;
  }

  /** The access token a refresh answer gives one chain; scopes the answer leaves out are the stored ones. */
  refreshedToken(record: Integration, chain: string, fields: TokenFields, nowMs: number): CachedToken {
    return {
      access_token: fields.access_token,
      token_type: fields.token_type ?? "Bearer",
      expires_at: this.expiresAt(fields, nowMs),
      scopes: fields.scopes ?? ((record.credentials[chainFields(chain).scopes] as string[] | undefined) ?? record.scopes),
      issued_at: nowMs,
    };
  }

  /**
   * Splits a draft's credentials before the save: the access token of each refreshable chain goes to the cache, the
   * rest (refresh token, type, scopes) to the record. A chain without a refresh token keeps its token in the record.
   */
  splitForCache(credentials: Record<string, unknown>, nowMs: number): { credentials: Record<string, unknown>; toCache: Array<[chain: string, token: CachedToken]> } {
    const kept = { ...credentials };
    const toCache: Array<[string, CachedToken]> = [];
    for (const chain of this.chains) {
      const names = chainFields(chain);
      if (!kept[names.refresh] || typeof kept[names.access] !== "string") continue;
      toCache.push([
        chain,
        {
          access_token: kept[names.access] as string,
          token_type: (kept[names.tokenType] as string | undefined) ?? "Bearer",
          expires_at: (kept[names.expiresAt] as number | undefined) ?? nowMs,
          scopes: (kept[names.scopes] as string[] | undefined) ?? [],
          // Obtained by this install's code exchange, moments ago: the skew cap and describeCredentials use it.
          issued_at: nowMs,
        },
      ]);
      delete kept[names.access];
      delete kept[names.expiresAt];
    }
    return { credentials: kept, toCache };
  }

  /** The token of a chain without a refresh token (the record holds it); "expired" once its stated expiry passed. */
  storedToken(integration: Integration, chain: string, nowMs: number): CachedToken | "expired" {
    const names = chainFields(chain);
    const expiresAt = integration.credentials[names.expiresAt];
    if (typeof expiresAt === "number" && expiresAt <= nowMs) return "expired";
    return {
      access_token: integration.credentials[names.access] as string,
      token_type: (integration.credentials[names.tokenType] as string | undefined) ?? "Bearer",
      expires_at: typeof expiresAt === "number" ? expiresAt : Number.MAX_SAFE_INTEGER,
      scopes: (integration.credentials[names.scopes] as string[] | undefined) ?? integration.scopes,
    };
  }

  /** The refresh tokens of `source` that `target` does not hold yet (a re-install's grant, copied to its siblings). */
  copyGrant(source: Integration, target: Integration): CredentialChange {
    const credentials = { ...target.credentials };
    let changed = false;
    for (const chain of this.chains) {
      const names = chainFields(chain);
      if (source.credentials[names.refresh] && source.credentials[names.refresh] !== credentials[names.refresh]) {
        credentials[names.refresh] = source.credentials[names.refresh];
        changed = true;
      }
    }
    return changed ? { credentials } : undefined;
  }

  /** The provider's runtime fields (its `runtime` hook), or the default OAuth runtime of DESIGN section 2. */
  runtime(integration: Integration, tokens: ChainTokens): RuntimeFields {
    if (this.#options.runtime) return this.#options.runtime(integration, tokens);
    const primary = tokens[""] ?? Object.values(tokens)[0];
    if (!primary) throw new SdkError("reauth_required", `The ${this.#options.id} integration holds no token.`, { details: { provider: this.#options.id } });
    return {
      access_token: primary.access_token,
      token_type: primary.token_type,
      // A token without expiry (non-rotating) has no date to show.
      expires_at: primary.expires_at >= Number.MAX_SAFE_INTEGER ? null : new Date(primary.expires_at).toISOString(),
      scopes: primary.scopes,
      headers: { Authorization: `Bearer ${primary.access_token}` },
      ...(this.#options.apiBaseUrl ? { api_base_url: this.#options.apiBaseUrl } : {}),
    };
  }
}
