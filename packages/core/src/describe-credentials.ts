// `sdk.describeCredentials`: what an operator may know about a connection's credentials without seeing one: which key
// sealed each field, the record's status and times, and from the provider each token chain's refresh-token generation
// and access-token expiry, so "was the rotation saved?" needs no raw store access. Never returns a credential value.
import type { AuthType, Integration, IntegrationStatus } from "./integration.js";
import type { ProviderContext, ProviderDefinition } from "./provider.js";
import { isEnvelope } from "./credential-cipher.js";

/** One stored credential field, by name: how it is sealed, never its value. */
export interface CredentialFieldView {
  field: string;
  /** False for a plaintext field (1.x records, or `encryption: { plaintext: true }`). */
  encrypted: boolean;
  /** The `kid` of the field's envelope; null when plaintext. */
  key_id: string | null;
  /** Whether `encryption.keys` holds that key, i.e. the field can be opened. */
  key_available: boolean;
}

/** One token chain of an OAuth connection ("" is the primary chain; Slack's user tokens are `"user"`). */
export interface TokenChainView {
  chain: string;
  refresh_token: {
    present: boolean;
    /**
     * A short digest naming this refresh token (`rt_` + 16 base64url characters of its SHA-256): it changes with every
     * rotation, so comparing it before and after a refresh shows whether the rotated token was saved. Null when there
     * is none or its key is not in the ring. Not the token, and not enough to find it.
     */
    generation: string | null;
    /**
     * True while a refresh's rotation journal names the stored token as replaced: the provider rotated it but the
     * record write has not happened yet (the next refresh repairs it from the journal).
     */
    rotation_pending: boolean;
  };
  access_token: {
    /** Where the chain's access token is: the cache (refreshable chains) or the record (a token without refresh). */
    stored_in: "cache" | "record" | null;
    /** ISO 8601; null when there is none or it does not expire. */
    expires_at: string | null;
    /** When the SDK obtained the cached token from the provider (the last refresh, or the install); ISO 8601 or null. */
    obtained_at: string | null;
    scopes: string[];
  };
}

/** What `sdk.describeCredentials(id)` returns: metadata only, no secret. */
export interface CredentialDescription {
  integration_id: string;
  provider: string;
  account_id: string;
  auth_type: AuthType;
  status: IntegrationStatus;
  scopes: string[];
  created_at: string;
  /** The record's last write: for a rotating OAuth provider, the last saved rotation at the latest. */
  updated_at: string;
  version: number;
  encryption: {
    /** The key new writes use (the first of `encryption.keys`); null without keys. */
    primary_key_id: string | null;
    /** The distinct key ids of this record's envelopes. */
    key_ids: string[];
    /** True when a field is plaintext or under another key than the primary one (`reencryptConnections` fixes it). */
    needs_reencryption: boolean;
    fields: CredentialFieldView[];
  };
  /** OAuth token chains, as the provider reports them; empty for api-key, basic and mapped connections. */
  chains: TokenChainView[];
}

/** The description of a sealed record; `provider` (when registered) adds its token chains. */
export async function describeCredentials(context: ProviderContext, sealed: Integration, provider: ProviderDefinition | undefined): Promise<CredentialDescription> {
  const cipher = context.cipher;
  const fields = Object.keys(sealed.credentials)
    .sort()
    .map((field): CredentialFieldView => {
      const value = sealed.credentials[field];
      if (!isEnvelope(value)) return { field, encrypted: false, key_id: null, key_available: false };
      return { field, encrypted: true, key_id: value.kid, key_available: cipher.hasKey(value.kid) };
    });
  const chains = provider?.describeCredentials ? await provider.describeCredentials(context, context.integrations.open(sealed)) : [];
  return {
    integration_id: sealed.id,
    provider: sealed.provider,
    account_id: sealed.account_id,
    auth_type: sealed.auth_type,
    status: sealed.status,
    scopes: [...sealed.scopes],
    created_at: sealed.created_at,
    updated_at: sealed.updated_at,
    version: sealed.version,
    encryption: {
      primary_key_id: cipher.primaryKeyId ?? null,
      key_ids: [...new Set(fields.flatMap((field) => (field.key_id === null ? [] : [field.key_id])))].sort(),
      needs_reencryption: cipher.needsUpgrade(sealed.credentials),
      fields,
    },
    chains,
  };
}
