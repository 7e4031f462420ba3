// `defineOAuthProvider` options that point a generic provider at a running OAuth emulator, so a test, a demo or a
// benchmark wires the SDK to it in one line. Plain data: it crosses into worker processes as JSON.
import type { OAuthProviderOptions } from "../oauth-provider-options.js";
import type { Clock } from "./clock.js";
import type { OAuthEmulator } from "./start-oauth-emulator.js";

/**
 * `defineOAuthProvider(oauthOptionsFor(emulator))`: id `"acme"`, the emulator's client, its first redirect URI, its
 * authorize / token / revoke endpoints and its origin as `apiBaseUrl`, scopes `read offline_access`. `overrides`
 * replace any of them (tuning such as `lockLeaseMs` too).
 */
export function oauthOptionsFor<const Id extends string = "acme">(
  emulator: OAuthEmulator<Clock>,
  overrides: Partial<OAuthProviderOptions> & { id?: Id } = {},
): OAuthProviderOptions & { id: Id } {
  return {
    id: "acme" as Id,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    redirectUri: emulator.redirectUris[0]!,
    authorizeUrl: emulator.authorizeUrl,
    tokenUrl: emulator.tokenUrl,
    revokeUrl: emulator.revokeUrl,
    apiBaseUrl: emulator.url,
    scopes: ["read", "offline_access"],
    ...overrides,
  };
}
