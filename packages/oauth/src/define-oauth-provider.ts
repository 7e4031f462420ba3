// The public way to declare an OAuth provider: endpoint facts and optional hooks in, a ProviderDefinition out.
import type { ProviderDefinition } from "@sdk/core";
import type { OAuthProviderOptions } from "./oauth-provider-options.js";
import { OAuthStrategy } from "./oauth-strategy.js";

/** Declares any RFC 6749 provider (authorization code + refresh). See OAuthProviderOptions for the hooks. */
export function defineOAuthProvider(options: OAuthProviderOptions): ProviderDefinition & OAuthStrategy {
  return new OAuthStrategy(options);
}
