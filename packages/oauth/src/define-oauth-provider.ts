// The one way to declare an OAuth provider: endpoint facts, tuning and optional hooks in, an opaque ProviderDefinition
// out. The engine (OAuthStrategy and its parts) stays internal; hooks reach it through `context.engine`.
import type { ProviderDefinition, Runtime } from "@sdk/core";
import type { RuntimeFields } from "@sdk/core/provider-kit";
import type { OAuthProviderHooks, OAuthProviderOptions } from "./oauth-provider-options.js";
import { OAuthStrategy } from "./oauth-strategy.js";

/** The fields of the default OAuth runtime (a provider without a `runtime` hook; DESIGN section 2). */
export interface OAuthRuntimeFields extends RuntimeFields {
  access_token: string;
  token_type: string;
  /** ISO 8601; null for a token that does not expire. */
  expires_at: string | null;
  scopes: string[];
  headers: { Authorization: string };
}

/** The runtime of an OAuth provider without a `runtime` hook. */
export interface OAuthRuntime extends Runtime, OAuthRuntimeFields {
  headers: { Authorization: string };
}

/** What `defineOAuthProvider` returns: an opaque provider for `createSDK`, typed with its id and runtime. */
export type OAuthProvider<Id extends string = string, R extends Runtime = OAuthRuntime> = ProviderDefinition<Id, R>;

/**
 * Declares any RFC 6749 provider (authorization code + refresh). See OAuthProviderOptions for the hooks. The id
 * and the `runtime` hook's return type type the provider for `createSDK` (`provider: "acme"`, the runtime union).
 */
export function defineOAuthProvider<const Id extends string, F extends RuntimeFields = OAuthRuntimeFields>(
  options: OAuthProviderOptions & { id: Id; hooks?: OAuthProviderHooks & { runtime?: (...args: Parameters<NonNullable<OAuthProviderHooks["runtime"]>>) => F } },
): OAuthProvider<Id, Runtime & F> {
  return new OAuthStrategy(options) as unknown as OAuthProvider<Id, Runtime & F>;
}
