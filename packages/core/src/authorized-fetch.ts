// `sdk.fetch` / `sdk.fetcher`: sends a request with a connection's credentials, only inside its `api_base_url` (the
// caller's path and every redirect it follows), and on a refusal (401, or the provider's own refusal) invalidates,
// refreshes once and retries once, unless a refresh cannot cure it. Credentials never travel to another origin.
import { CuredTokenMemory } from "./cured-token-memory.js";
import { readFetchInput, type FetchInput } from "./fetch-input.js";
import { checkRedirectTarget, resolveFetchTarget } from "./fetch-target.js";
import type { Integration } from "./integration.js";
import { parseInput } from "./parse-input.js";
import type { ProviderContext, ProviderDefinition, Runtime } from "./provider.js";
import type { ProviderRegistry } from "./provider-registry.js";
import type { ResolveFlight } from "./resolve-flight.js";
import { fetchInitSchema, fetchPathSchema } from "./sdk-input-schemas.js";
import { SdkError } from "./sdk-error.js";

/** Redirects `sdk.fetch` follows itself, and only on the connection's origin: credentials never travel elsewhere. */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

export class AuthorizedFetch {
  readonly #context: ProviderContext;
  readonly #providers: ProviderRegistry;
  readonly #flight: ResolveFlight;
  readonly #curedTokens: CuredTokenMemory;

  constructor(context: ProviderContext, providers: ProviderRegistry, flight: ResolveFlight) {
    this.#context = context;
    this.#providers = providers;
    this.#flight = flight;
    this.#curedTokens = new CuredTokenMemory(context.cache, context.keyPrefix, context.now);
  }

  /** `sdk.fetch` for a valid integration id (see ConnectionManager.fetch). */
  async fetch(integrationId: string, path: FetchInput, init: RequestInit): Promise<Response> {
    const input = await readFetchInput(path, init);
    const target = parseInput(fetchPathSchema(), input.path, "fetch.path");
    const request = parseInput(fetchInitSchema(), input.init, "fetch.init") ?? {};
    const given = callerHeaders(request.headers);
    let runtime = await this.#flight.resolve(integrationId);
    const response = await this.#send(runtime, target, request, given);
    if (!isReplayableBody(request.body) || !(await this.#refusesCredentials(runtime, response))) return response;
    const integration = await this.#context.integrations.get(integrationId);
    const provider = integration ? this.#providers.find(integration.provider) : undefined;
    if (!integration || provider?.authType !== "oauth2" || !provider.invalidate) return response;
    const rejected = typeof runtime.access_token === "string" ? runtime.access_token : undefined;
    if (await this.#refreshCannotCure(provider, response, rejected)) return response;
    await discard(response);
    runtime = await this.#replaceRejected(provider, integration, rejected);
    return this.#send(runtime, target, request, given);
  }

  /**
   * `sdk.tokenSource(id).onUnauthorized`: the runtime to retry with after the API refused `refused`. The same rules as
   * a 401 in `fetch`: the refused token is dropped and replaced once; a token that such a refresh gave is not refreshed.
   */
  async afterRefusal(integrationId: string, refused: string | undefined): Promise<Runtime> {
    const integration = await this.#context.integrations.get(integrationId);
    const provider = integration ? this.#providers.find(integration.provider) : undefined;
    const cured = refused !== undefined && (await this.#curedTokens.has(refused));
    if (!integration || provider?.authType !== "oauth2" || !provider.invalidate || cured) return this.#flight.resolve(integrationId);
    return this.#replaceRejected(provider, integration, refused);
  }

  /** Drops the rejected access token (unless another caller already replaced it) and resolves the next one. */
  async #replaceRejected(provider: ProviderDefinition, integration: Integration, rejected: string | undefined): Promise<Runtime> {
    await this.#flight.invalidate(provider, integration, rejected ? { rejectedAccessToken: rejected } : {});
    const runtime = await this.#flight.resolve(integration.id);
    if (typeof runtime.access_token === "string" && runtime.access_token !== rejected) await this.#curedTokens.remember(runtime.access_token, runtime.expires_at);
    return runtime;
  }

  /**
   * A refusal that a refresh cannot cure goes back to the caller as it is: the provider recognises it (Atlassian's
   * 401 "scope does not match"), or the refused token itself came from a refresh that a refusal caused. So N calls
   * refresh at most once per token, instead of rotating the grant on every call.
   */
  async #refreshCannotCure(provider: ProviderDefinition, response: Response, rejected: string | undefined): Promise<boolean> {
    if (rejected !== undefined && (await this.#curedTokens.has(rejected))) return true;
    if (!provider.refreshCannotCure) return false;
    return provider.refreshCannotCure(response.clone()).catch(() => false);
  }

  /** A 401, or a provider's own way of refusing credentials (Slack: HTTP 200 `ok:false, token_expired`). */
  async #refusesCredentials(runtime: Runtime, response: Response): Promise<boolean> {
    if (response.status === 401) return true;
    const check = this.#providers.find(runtime.provider)?.rejectsCredentials;
    if (!check) return false;
    return check(response.clone()).catch(() => false);
  }

  async #send(runtime: Runtime, target: string, init: RequestInit, given: Headers): Promise<Response> {
    let url = targetUrl(runtime, target);
    const origin = url.origin;
    const headers = withCredentials(given, runtime);
    const mode = init.redirect ?? "follow";
    let method = init.method;
    let body = init.body;
    for (let hop = 0; ; hop++) {
      const response = await this.#context.fetch(url.toString(), { ...init, method, body, headers, redirect: "manual" });
      const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get("location") : null;
      if (mode === "manual" || location === null) return response;
      if (mode === "error") {
        await discard(response);
        throw new SdkError("provider_error", `The API answered ${response.status} (a redirect) and "fetch.init.redirect" is "error".`, {
          details: { field: "fetch.init.redirect", status: response.status },
        });
      }
      const next = new URL(location, url);
      if (next.origin !== origin || hop >= MAX_REDIRECTS) return response;
      try {
        checkRedirectTarget(runtime.api_base_url!, location, next, response.status);
      } catch (error) {
        await discard(response);
        throw error;
      }
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method?.toUpperCase() === "POST")) {
        if (method?.toUpperCase() !== "HEAD") method = "GET";
        body = undefined;
      } else if (!isReplayableBody(body)) {
        return response;
      }
      await discard(response);
      url = next;
    }
  }
}

function targetUrl(runtime: Runtime, target: string): URL {
  const base = runtime.api_base_url;
  if (!base) {
    throw new SdkError("unsupported_operation", `Provider "${runtime.provider}" gives no api_base_url; call fetch yourself with resolveConnection().headers.`, {
      details: { provider: runtime.provider },
    });
  }
  return resolveFetchTarget(base, target);
}

function isReplayableBody(body: unknown): boolean {
  return body === undefined || body === null || typeof body === "string" || body instanceof URLSearchParams || body instanceof ArrayBuffer || ArrayBuffer.isView(body) || body instanceof Blob;
}

async function discard(response: Response): Promise<void> {
  // An unread body keeps its connection busy until garbage collection; a retried or followed response is dropped.
  await response.body?.cancel().catch(() => undefined);
}

// `Headers` quotes an invalid value in its error message; for credentials that value is the secret, so the
// TypeError is replaced by one that names the header only.
function callerHeaders(given: HeadersInit | undefined): Headers {
  try {
    return new Headers(given);
  } catch {
    throw new SdkError("validation_failed", `"fetch.init.headers" holds a name or value that is not valid in HTTP (the value is not shown).`, {
      details: { field: "fetch.init.headers" },
    });
  }
}

function withCredentials(given: Headers, runtime: Runtime): Headers {
  const headers = new Headers(given);
  for (const [name, value] of Object.entries(runtime.headers ?? {})) {
    try {
      headers.set(name, value);
    } catch {
      throw new SdkError("validation_failed", `Header "${name}" built from the credentials of integration "${runtime.integration_id}" is not a valid HTTP header value (the value is not shown); update the credentials.`, {
        details: { field: `runtime.headers.${name}`, integration_id: runtime.integration_id, provider: runtime.provider },
      });
    }
  }
  return headers;
}
