// A minimal OAuth-shaped ProviderDefinition for core's own tests: it keeps "access tokens" in the SDK cache under
// the 1.x key and mints a new one whenever the cache is empty, so tests can see invalidation and retries
// without any network. The real OAuth engine lives in @sdk/oauth; this only exercises core's side of the contract.
import { z } from "zod";
import { accessTokenKey, internalKey } from "../src/cache-keys.js";
import { parseInput } from "../src/parse-input.js";
import type { ProviderDefinition } from "../src/provider.js";
import { idSchema, secretSchema, urlSchema } from "../src/schemas.js";

export interface FakeOAuthProviderOptions {
  id?: string;
  /** `api_base_url` of the runtime; a connection's `metadata.base_url` overrides it. */
  apiBaseUrl?: string;
  /** Prefix of minted access tokens, so a secret scan can look for them. @default "fake-access-token" */
  tokenPrefix?: string;
  /** The provider's `refreshCannotCure` hook. */
  refreshCannotCure?: ProviderDefinition["refreshCannotCure"];
}

export interface FakeOAuthProvider extends ProviderDefinition {
  /** Access tokens minted so far (one per "refresh"). */
  readonly minted: string[];
  readonly revoked: string[];
}

const credentialsSchema = z.strictObject({ refresh_token: secretSchema() });
const metadataSchema = z.object({ cloud_id: idSchema(), base_url: urlSchema().optional() }).loose();

export function fakeOAuthProvider(options: FakeOAuthProviderOptions = {}): FakeOAuthProvider {
  const id = options.id ?? "fake-oauth";
  const tokenPrefix = options.tokenPrefix ?? "fake-access-token";
  const minted: string[] = [];
  const revoked: string[] = [];
  return {
    id,
    authType: "oauth2",
    requires: { cache: true, stateSecrets: true },
    minted,
    revoked,
    ...(options.refreshCannotCure ? { refreshCannotCure: options.refreshCannotCure } : {}),
    parseCredentials: (credentials, field) => parseInput(credentialsSchema, credentials, field),
    parseMetadata: (metadata, field) => parseInput(metadataSchema, metadata, field),
    naturalKey: ({ metadata }) => (typeof metadata.cloud_id === "string" ? metadata.cloud_id : null),
    async resolve(context, integration) {
      const cache = context.requireCache();
      const key = accessTokenKey(id, integration.id, integration.account_id);
      let token = await cache.get(key);
      if (!token) {
        token = `${tokenPrefix}-${minted.length + 1}`;
        minted.push(token);
        await cache.set(key, token, 60_000);
      }
      const base = typeof integration.metadata.base_url === "string" ? integration.metadata.base_url : options.apiBaseUrl;
      return {
        provider: id,
        integration_id: integration.id,
        account_id: integration.account_id,
        access_token: token,
        ...(base ? { api_base_url: base } : {}),
        headers: { Authorization: `Bearer ${token}` },
      };
    },
    async buildInstallUrl(context, input) {
      // Writes a nonce like the real engine does, so "a bad input writes nothing" covers the cache too.
      const nonce = `nonce-${input.user_id}`;
      await context.requireCache().set(internalKey(context.keyPrefix, "state", nonce), "pending", 600_000);
      return { url: `https://auth.example.test/authorize?state=${nonce}`, state: nonce, browser_binding: "binding-0123456789abcdef", expires_at: new Date(context.now() + 600_000).toISOString() };
    },
    async handleInstallCallback(context, input) {
      await context.requireCache().set(internalKey(context.keyPrefix, "consumed", String(input.state)), "1", 600_000);
      return { integration: { provider: id, account_id: "acct-callback", created_by: "user-callback", credentials: { refresh_token: String(input.code) }, metadata: { cloud_id: "cloud-callback" } } };
    },
    async completeSiteSelection(context, input) {
      await context.requireCache().set(internalKey(context.keyPrefix, "selected", input.selection_id), input.cloud_id, 600_000);
      return { integration: { provider: id, account_id: "acct-callback", created_by: "user-callback", credentials: { refresh_token: "rt-selected" }, metadata: { cloud_id: input.cloud_id } } };
    },
    async invalidate(context, integration, invalidateOptions) {
      const cache = context.requireCache();
      const key = accessTokenKey(id, integration.id, integration.account_id);
      if (invalidateOptions?.rejectedAccessToken) await cache.deleteIfEquals(key, invalidateOptions.rejectedAccessToken);
      else await cache.delete(key);
    },
    async revoke(_context, integration) {
      revoked.push(integration.id);
    },
  };
}
