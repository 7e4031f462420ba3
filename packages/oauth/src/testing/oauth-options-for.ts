// `defineOAuthProvider` options that point a generic provider at a running OAuth emulator, so a test, a demo or a
// benchmark wires the SDK to it in one line. Plain data: it crosses into worker processes as JSON.
import type { OAuthClientOptions, OAuthEndpoints, OAuthProviderOptions } from "../oauth-provider-options.js";
import type { Clock } from "./clock.js";
import type { OAuthEmulator } from "./start-oauth-emulator.js";

/** What `oauthOptionsFor` lets a caller replace: any group, the client and endpoints field by field. */
export type OAuthEmulatorOverrides<Id extends string> = Partial<Omit<OAuthProviderOptions, "id" | "client" | "endpoints">> & {
  id?: Id;
  client?: Partial<OAuthClientOptions>;
  endpoints?: Partial<OAuthEndpoints>;
};

/**
 * `defineOAuthProvider(oauthOptionsFor(emulator))`: id `"acme"`, the emulator's client, its first redirect URI and
 * scopes `read offline_access`; its authorize / token / revoke endpoints and its origin as `apiBaseUrl`. `overrides`
 * replace any of them (`client` and `endpoints` are merged field by field; `tuning` and `hooks` are taken as given).
 */
export function oauthOptionsFor<const Id extends string = "acme">(emulator: OAuthEmulator<Clock>, overrides: OAuthEmulatorOverrides<Id> = {}): OAuthProviderOptions & { id: Id } {
  return {
    ...overrides,
    id: overrides.id ?? ("acme" as Id),
    client: { clientId: emulator.clientId, clientSecret: emulator.clientSecret, redirectUri: emulator.redirectUris[0]!, scopes: ["read", "offline_access"], ...overrides.client },
    endpoints: { authorizeUrl: emulator.authorizeUrl, tokenUrl: emulator.tokenUrl, revokeUrl: emulator.revokeUrl, apiBaseUrl: emulator.url, ...overrides.endpoints },
  };
}
