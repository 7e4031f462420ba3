// Authorization server metadata (RFC 8414, and OpenID Connect Discovery 1.0 as the fallback): read once per provider
// from the issuer's well-known document, checked field by field, and turned into the settings the engine uses where
// the provider's options leave them out. It owns fetching and checking that document; it never overrides an option.
import { SdkError } from "@sdk/core";
import { lazySchema, urlSchema, type ProviderContext } from "@sdk/core/provider-kit";
import type { z } from "zod";
import type { ClientAuthMethod } from "./token-client.js";

/** What discovery may fill in: each only where the provider's options did not set it. */
export interface DiscoveredSettings {
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl?: string;
  clientAuth: ClientAuthMethod;
  /** False only when the server lists its PKCE methods and S256 is not among them. */
  pkce: boolean;
  /** RFC 9207: the server says it always sends `iss` on the authorization response. */
  authorizationResponseIssParameterSupported: boolean;
}

/** The well-known URLs of an issuer, in the order they are tried: RFC 8414 section 3.1, then OIDC Discovery 1.0 section 4. */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  // RFC 8414 puts the well-known segment between the host and the issuer's path; OIDC appends it to the issuer.
  return [`${url.origin}/.well-known/oauth-authorization-server${path}`, `${url.origin}${path}/.well-known/openid-configuration`];
}

const methods = lazySchema((z) => z.array(z.string().max(128)).max(64));
const metadataSchema = lazySchema((z) =>
  z
    .object({
      issuer: z.string().min(1).max(2048),
      authorization_endpoint: urlSchema(),
      token_endpoint: urlSchema(),
      revocation_endpoint: urlSchema().optional(),
      // RFC 8414 section 2: "If omitted, the default is client_secret_basic".
      token_endpoint_auth_methods_supported: methods().optional(),
      // RFC 8414 section 2: "If omitted, the authorization server does not support PKCE" — see `pkceFrom`.
      code_challenge_methods_supported: methods().optional(),
      authorization_response_iss_parameter_supported: z.boolean().optional(),
    })
    .loose(),
);

const MAX_METADATA_BYTES = 64 * 1024;
const TIMEOUT_MS = 10_000;

export class ServerMetadata {
  readonly #provider: string;
  readonly #issuer: string;
  #settings?: Promise<DiscoveredSettings>;

  constructor(provider: string, issuer: string) {
    this.#provider = provider;
    this.#issuer = issuer;
  }

  /**
   * The discovered settings: fetched on the first call, then the same answer for the life of the provider. A failure
   * is not kept, so the next call tries again (a server that was down at start-up is read once it is back).
   */
  settings(context: Pick<ProviderContext, "fetch">): Promise<DiscoveredSettings> {
    this.#settings ??= this.#discover(context.fetch).catch((error: unknown) => {
      this.#settings = undefined;
      throw error;
    });
    return this.#settings;
  }

  async #discover(fetchImpl: typeof globalThis.fetch): Promise<DiscoveredSettings> {
    for (const url of metadataUrls(this.#issuer)) {
      const body = await this.#read(fetchImpl, url);
      if (body !== undefined) return this.#check(body);
    }
    throw new SdkError(
      "misconfigured",
      `${this.#provider}: the issuer serves no authorization server metadata (RFC 8414 /.well-known/oauth-authorization-server, OIDC /.well-known/openid-configuration); give authorizeUrl and tokenUrl instead.`,
      { details: { field: "issuer", provider: this.#provider } },
    );
  }

  /** The JSON at `url`, or undefined when the server has no document there (404, 410, or an HTML page). */
  async #read(fetchImpl: typeof globalThis.fetch, url: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetchImpl(url, { headers: { accept: "application/json" }, redirect: "error", signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (cause) {
      throw new SdkError("provider_unavailable", `${this.#provider}: the authorization server metadata could not be fetched.`, {
        retryable: true,
        details: { provider: this.#provider, operation: "discovery" },
        cause,
      });
    }
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new SdkError("provider_unavailable", `${this.#provider}: the authorization server metadata answered HTTP ${response.status}.`, {
        retryable: response.status >= 500 || response.status === 429,
        details: { provider: this.#provider, operation: "discovery", status: response.status },
      });
    }
    const text = await response.text();
    if (text.length > MAX_METADATA_BYTES) throw this.#invalid("metadata", `is larger than ${MAX_METADATA_BYTES} bytes`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      if (/^\s*</.test(text)) return undefined;
      throw this.#invalid("metadata", "is not JSON");
    }
  }

  #check(body: unknown): DiscoveredSettings {
    const parsed = metadataSchema().safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw this.#invalid(issue.path.join(".") || "metadata", issue.message);
    }
    const metadata = parsed.data;
    // RFC 8414 section 3.3: a document naming another issuer "MUST NOT be used" (it may be an attacker's).
    if (metadata.issuer !== this.#issuer) throw this.#invalid("issuer", "differs from the configured issuer (RFC 8414 3.3)");
    return {
      authorizeUrl: metadata.authorization_endpoint,
      tokenUrl: metadata.token_endpoint,
      ...(metadata.revocation_endpoint ? { revokeUrl: metadata.revocation_endpoint } : {}),
      clientAuth: this.#clientAuthFrom(metadata.token_endpoint_auth_methods_supported),
      pkce: pkceFrom(metadata.code_challenge_methods_supported),
      authorizationResponseIssParameterSupported: metadata.authorization_response_iss_parameter_supported === true,
    };
  }

  #clientAuthFrom(supported: string[] | undefined): ClientAuthMethod {
    if (supported === undefined || supported.includes("client_secret_basic")) return "client_secret_basic";
    if (supported.includes("client_secret_post")) return "client_secret_post";
    throw this.#invalid("token_endpoint_auth_methods_supported", "lists neither client_secret_basic nor client_secret_post");
  }

  #invalid(field: string, problem: string): SdkError {
    return new SdkError("provider_response_invalid", `"${field}" in the ${this.#provider} authorization server metadata ${problem}.`, {
      details: { provider: this.#provider, field, operation: "discovery" },
    });
  }
}

/**
 * PKCE S256 stays on unless the server lists its methods without S256. A server that lists none may still support it
 * (many do not advertise), and a challenge it does not understand is ignored (RFC 7636 section 5), so leaving it on is
 * the safe side.
 */
function pkceFrom(supported: string[] | undefined): boolean {
  return supported === undefined || supported.includes("S256");
}

/** The options discovery may fill in, as the engine's parts read them (by reference, at call time). */
export interface DiscoverableOptions {
  authorizeUrl?: string;
  tokenUrl?: unknown;
  revokeUrl?: string;
  clientAuth?: ClientAuthMethod;
  pkce?: boolean;
  authorizationResponseIssParameterSupported?: boolean;
}

/** Fills each option the provider left out from the discovered settings; a given option is never touched. */
export function fillFromMetadata(options: DiscoverableOptions, settings: DiscoveredSettings): void {
  options.authorizeUrl ??= settings.authorizeUrl;
  options.tokenUrl ??= settings.tokenUrl;
  if (settings.revokeUrl !== undefined) options.revokeUrl ??= settings.revokeUrl;
  options.clientAuth ??= settings.clientAuth;
  options.pkce ??= settings.pkce;
  options.authorizationResponseIssParameterSupported ??= settings.authorizationResponseIssParameterSupported;
}
