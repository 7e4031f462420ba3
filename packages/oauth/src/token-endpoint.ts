// This provider's token endpoint as every part of the engine calls it: the token client bound to the SDK's fetch
// (with the provider's client credentials, which only this file and the client hold), the token URL of an install or
// an integration, and the parsing of every token answer, code exchange and refresh alike.
import type { Integration } from "@sdk/core";
import type { InstallCallbackInput, ProviderContext } from "@sdk/core/provider-kit";
import type { EngineSettings } from "./oauth-provider-options.js";
import { DEFAULT_RESPONSE_LIMITS, limitExceeded } from "./read-bounded-body.js";
import { TokenClient } from "./token-client.js";
import { parseRfcTokenResponse, type TokenFields } from "./token-response.js";

type EndpointOptions = Omit<EngineSettings, "clientSecret">;

export class TokenEndpoint {
  readonly #options: EndpointOptions;
  readonly #clientSecret: string;
  #client?: { fetch: typeof globalThis.fetch; client: TokenClient; noTimeoutRetry: TokenClient };

  constructor(options: EndpointOptions, clientSecret: string) {
    this.#options = options;
    this.#clientSecret = clientSecret;
  }

  /** The token client bound to the SDK's fetch (created on first use so `createSDK({ fetch })` is honoured). */
  client(context: ProviderContext, options: { retryOnTimeout?: boolean } = {}): TokenClient {
    if (!this.#client || this.#client.fetch !== context.fetch) {
      const settings = this.#options;
      const base = {
        provider: settings.id,
        fetch: context.fetch,
        clientId: settings.clientId,
        clientSecret: this.#clientSecret,
        clientAuth: settings.clientAuth ?? "client_secret_basic",
        format: settings.tokenRequestFormat ?? "form",
        timeoutMs: settings.timeoutMs ?? 10_000,
        ...(settings.retry ? { retry: settings.retry } : {}),
        ...(settings.mapError ? { mapError: settings.mapError } : {}),
        ...(settings.responseLimits ? { limits: settings.responseLimits } : {}),
      };
      this.#client = {
        fetch: context.fetch,
        client: new TokenClient(base),
        noTimeoutRetry: new TokenClient({ ...base, retryOnTimeout: false }),
      };
    }
    return options.retryOnTimeout === false ? this.#client.noTimeoutRetry : this.#client.client;
  }

  url(target: { input?: InstallCallbackInput; integration?: Integration }): string {
    const tokenUrl = this.#options.tokenUrl;
    return typeof tokenUrl === "function" ? tokenUrl(target) : tokenUrl;
  }

  /** Every token response of every provider, code exchange and refresh, is parsed here: the scope cap lives here too. */
  parse(body: unknown, grant: "authorization_code" | "refresh_token", chain: string): Record<string, TokenFields> {
    const settings = this.#options;
    const tokens = settings.parseTokenResponse ? settings.parseTokenResponse(body, { grant, chain }) : { [chain]: parseRfcTokenResponse(settings.id, body) };
    const maxScopes = settings.responseLimits?.maxScopes ?? DEFAULT_RESPONSE_LIMITS.maxScopes;
    for (const fields of Object.values(tokens)) {
      if ((fields?.scopes?.length ?? 0) > maxScopes) throw limitExceeded(settings.id, "maxScopes", maxScopes);
    }
    return tokens;
  }
}
