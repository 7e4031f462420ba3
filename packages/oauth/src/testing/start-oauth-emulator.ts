// A fake RFC 6749 authorization server for tests and demos: consent page, authorization code with PKCE (RFC 7636),
// rotating refresh tokens with a reuse window and family revocation on reuse (RFC 9700 4.14.2), RFC 7009
// revocation, a protected API, counters, a movable clock and faults. It follows providers/oauth-rfcs.md.
import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "./clock.js";
import { basicCredentials, bearerToken, defaultClock, escapeHtml, startEmulatorServer, submitForm, type EmulatorRequest, type EmulatorResponse, type EmulatorServer } from "./emulator-server.js";
import type { ManualClock } from "./manual-clock.js";

/** The redirect URI every emulator registers when none is given (and the one each `…OptionsFor` passes the SDK). */
export const EMULATOR_REDIRECT_URI = "http://localhost:3000/callback";

export interface OAuthEmulatorOptions<C extends Clock = ManualClock> {
  /** @default "test-client" */
  clientId?: string;
  /** @default "test-client-secret-" + 32 random hex characters, new on every start */
  clientSecret?: string;
  /** Registered redirect URIs; compared by exact string (RFC 9700 2.1). @default [EMULATOR_REDIRECT_URI] */
  redirectUris?: string[];
  /** Which client authentication the token endpoint accepts. @default "any" */
  clientAuth?: "client_secret_basic" | "client_secret_post" | "any";
  /** Accept JSON token request bodies besides form bodies. @default true */
  acceptJson?: boolean;
  /** Require PKCE on every authorization request. @default false */
  requirePkce?: boolean;
  /** @default 3600 */
  accessTokenTtlSeconds?: number;
  /** Leave `expires_in` out of token responses. @default false */
  omitExpiresIn?: boolean;
  /** Issue a new refresh token on every refresh. @default true */
  rotateRefreshTokens?: boolean;
  /** How long a rotated-out refresh token still works, in ms. Reuse after it revokes the whole family. @default 0 */
  reuseWindowMs?: number;
  /** Authorization code lifetime. @default 600_000 */
  codeTtlMs?: number;
  /** Where the emulator reads time. @default a new ManualClock */
  clock?: C;
  /** Fixed port; 0 picks a free one. @default 0 */
  port?: number;
}

/** What the consent page is told: who signs in and whether they approve. */
export interface OAuthConsentDecision {
  /** @default "user-1" */
  user?: string;
  /** @default true */
  approve?: boolean;
}

interface Grant {
  id: string;
  user: string;
  scopes: string[];
  revoked: boolean;
  refreshToken: string | undefined;
  /** Rotated-out refresh tokens and when they were rotated out. */
  previous: Map<string, number>;
}

interface PendingCode {
  grantId: string;
  redirectUri: string;
  challenge: string | undefined;
  expiresAt: number;
}

export interface OAuthEmulator<C extends Clock = ManualClock> extends EmulatorServer<C> {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The issuer identifier (the server's origin), as its RFC 8414 metadata names it. */
  readonly issuer: string;
  /** Its authorization server metadata (RFC 8414): `/.well-known/oauth-authorization-server`. */
  readonly metadataUrl: string;
  /** The registered redirect URIs; `oauthOptionsFor` uses the first. */
  readonly redirectUris: readonly string[];
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly revokeUrl: string;
  /** A protected resource: 200 `{ sub, scope }` with a live access token, 401 otherwise. */
  readonly apiUrl: string;
  readonly stats: { codeExchanges: number; refreshes: number; reuseDetected: number; revocations: number };
  /**
   * Drives the consent page over HTTP like a browser would: loads `authorizeUrl`, submits the decision and
   * returns the redirect target (the callback URL with `code` and `state`, or with `error=access_denied`).
   */
  consent(authorizeUrl: string, decision?: OAuthConsentDecision): Promise<string>;
  /** Revokes every grant of `user` (the user removed the app): later refreshes get `invalid_grant`. */
  revokeUser(user: string): void;
  /** Whether the grant that issued `refreshToken` (current or rotated-out) is revoked. */
  isRevoked(refreshToken: string): boolean;
  /**
   * The provider's view of a refresh token: `"current"` (its grant's newest, live), `"rotated"` (replaced by a newer
   * one, grant live), `"revoked"` (its grant is revoked) or `"unknown"`. Lets a test check that a stored token is the
   * one the provider would accept without a reuse window.
   */
  refreshTokenState(refreshToken: string): "current" | "rotated" | "revoked" | "unknown";
}

const token = (prefix: string) => `${prefix}_${randomBytes(24).toString("base64url")}`;

function oauthError(status: number, error: string, description: string, headers?: Record<string, string>): EmulatorResponse {
  return { status, body: { error, error_description: description }, ...(headers ? { headers } : {}) };
}

export async function startOAuthEmulator<C extends Clock = ManualClock>(options: OAuthEmulatorOptions<C> = {}): Promise<OAuthEmulator<C>> {
  const clientId = options.clientId ?? "test-client";
  // Random per start: a fixed default secret would be a known credential copied into configs and tests.
  const clientSecret = options.clientSecret ?? `test-client-secret-${randomBytes(16).toString("hex")}`;
  const clock = options.clock ?? defaultClock<C>();
  const redirectUris = options.redirectUris ?? [EMULATOR_REDIRECT_URI];
  const ttlSeconds = options.accessTokenTtlSeconds ?? 3600;
  const reuseWindowMs = options.reuseWindowMs ?? 0;
  const grants = new Map<string, Grant>();
  const codes = new Map<string, PendingCode>();
  const accessTokens = new Map<string, { grantId: string; expiresAt: number }>();
  const pendingAuthorizations = new Map<string, { redirectUri: string; state: string | null; scopes: string[]; challenge: string | undefined }>();
  const stats = { codeExchanges: 0, refreshes: 0, reuseDetected: 0, revocations: 0 };

  const grantOfRefresh = (refresh: string): Grant | undefined => {
    for (const grant of grants.values()) if (grant.refreshToken === refresh || grant.previous.has(refresh)) return grant;
    return undefined;
  };

  const issue = (grant: Grant, rotate: boolean): EmulatorResponse => {
    const access = token("at");
    accessTokens.set(access, { grantId: grant.id, expiresAt: clock.now() + ttlSeconds * 1000 });
    if (rotate || !grant.refreshToken) {
      if (grant.refreshToken) grant.previous.set(grant.refreshToken, clock.now());
      grant.refreshToken = token("rt");
    }
    return {
      status: 200,
      body: {
        access_token: access,
        token_type: "Bearer",
        ...(options.omitExpiresIn ? {} : { expires_in: ttlSeconds }),
        refresh_token: grant.refreshToken,
        scope: grant.scopes.join(" "),
      },
    };
  };

  const authenticate = (request: EmulatorRequest, body: Record<string, string>): EmulatorResponse | undefined => {
    const basic = basicCredentials(request.headers);
    const mode = options.clientAuth ?? "any";
    if (basic) {
      if (mode === "client_secret_post") return oauthError(401, "invalid_client", "client_secret_basic is not allowed", { "www-authenticate": "Basic" });
      if (basic.id !== clientId || basic.secret !== clientSecret) return oauthError(401, "invalid_client", "client authentication failed", { "www-authenticate": "Basic" });
      return undefined;
    }
    if (mode === "client_secret_basic") return oauthError(401, "invalid_client", "client_secret_basic is required", { "www-authenticate": "Basic" });
    if (body.client_id !== clientId || body.client_secret !== clientSecret) return oauthError(400, "invalid_client", "client authentication failed");
    return undefined;
  };

  const tokenBody = (request: EmulatorRequest): Record<string, string> | undefined => {
    if (request.bodyFormat === "form") return request.body as Record<string, string>;
    if (request.bodyFormat === "json" && (options.acceptJson ?? true) && request.body && typeof request.body === "object") {
      return Object.fromEntries(Object.entries(request.body as Record<string, unknown>).map(([key, value]) => [key, String(value)]));
    }
    return undefined;
  };

  let issuer = "";
  const server = await startEmulatorServer({
    clock,
    port: options.port,
    routes: [
      {
        // RFC 8414 section 3: the metadata document at the issuer's well-known URL; section 2 names the fields. The
        // auth methods follow `clientAuth`; PKCE is S256 only (RFC 7636 4.2, as RFC 9700 2.1.1 recommends).
        name: "metadata",
        method: "GET",
        path: "/.well-known/oauth-authorization-server",
        handler: () => ({
          status: 200,
          body: {
            issuer,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            revocation_endpoint: `${issuer}/revoke`,
            response_types_supported: ["code"],
            grant_types_supported: ["authorization_code", "refresh_token"],
            token_endpoint_auth_methods_supported: (options.clientAuth ?? "any") === "any" ? ["client_secret_basic", "client_secret_post"] : [options.clientAuth],
            code_challenge_methods_supported: ["S256"],
          },
        }),
      },
      {
        name: "authorize",
        method: "GET",
        path: "/authorize",
        handler: ({ query }) => {
          if (query.get("client_id") !== clientId) return { status: 400, text: "unknown client_id" };
          const redirectUri = query.get("redirect_uri") ?? "";
          if (!redirectUris.includes(redirectUri)) return { status: 400, text: "redirect_uri is not registered" };
          const back = new URL(redirectUri);
          const state = query.get("state");
          if (state !== null) back.searchParams.set("state", state);
          const challenge = query.get("code_challenge") ?? undefined;
          if (query.get("response_type") !== "code") {
            back.searchParams.set("error", "unsupported_response_type");
            return { status: 302, headers: { location: back.toString() } };
          }
          if (challenge !== undefined && query.get("code_challenge_method") !== "S256") {
            back.searchParams.set("error", "invalid_request");
            return { status: 302, headers: { location: back.toString() } };
          }
          if (options.requirePkce && !challenge) {
            back.searchParams.set("error", "invalid_request");
            back.searchParams.set("error_description", "code_challenge required");
            return { status: 302, headers: { location: back.toString() } };
          }
          const request = randomBytes(12).toString("base64url");
          const scopes = (query.get("scope") ?? "").split(" ").filter(Boolean);
          pendingAuthorizations.set(request, { redirectUri, state, scopes, challenge });
          return {
            status: 200,
            html: `<!doctype html><html><head><title>Authorize ${escapeHtml(clientId)}</title></head><body>
<h1>Authorize test app</h1><p>Scopes: ${escapeHtml(scopes.join(", ") || "(none)")}</p>
<form method="post" action="/authorize/decision"><input type="hidden" name="request" value="${request}">
<label>User <input name="user" value="user-1"></label>
<button name="decision" value="approve" id="approve">Approve</button>
<button name="decision" value="deny" id="deny">Deny</button></form></body></html>`,
          };
        },
      },
      {
        name: "authorize_decision",
        method: "POST",
        path: "/authorize/decision",
        handler: ({ body }) => {
          const form = (body ?? {}) as Record<string, string>;
          const pending = pendingAuthorizations.get(form.request ?? "");
          if (!pending) return { status: 400, text: "unknown or used authorization request" };
          pendingAuthorizations.delete(form.request!);
          const back = new URL(pending.redirectUri);
          if (form.decision !== "approve") {
            back.searchParams.set("error", "access_denied");
          } else {
            const grant: Grant = { id: token("grant"), user: form.user || "user-1", scopes: pending.scopes, revoked: false, refreshToken: undefined, previous: new Map() };
            grants.set(grant.id, grant);
            const code = token("code");
            codes.set(code, { grantId: grant.id, redirectUri: pending.redirectUri, challenge: pending.challenge, expiresAt: clock.now() + (options.codeTtlMs ?? 600_000) });
            back.searchParams.set("code", code);
          }
          if (pending.state !== null) back.searchParams.set("state", pending.state);
          return { status: 302, headers: { location: back.toString() } };
        },
      },
      {
        name: "token",
        method: "POST",
        path: "/token",
        handler: (request) => {
          const body = tokenBody(request);
          if (!body) return oauthError(400, "invalid_request", "token requests must be form-urlencoded");
          const failed = authenticate(request, body);
          if (failed) return failed;
          if (body.grant_type === "authorization_code") {
            const pending = codes.get(body.code ?? "");
            if (!pending) return oauthError(400, "invalid_grant", "unknown or used authorization code");
            codes.delete(body.code!);
            if (pending.expiresAt <= clock.now()) return oauthError(400, "invalid_grant", "authorization code expired");
            if (body.redirect_uri !== pending.redirectUri) return oauthError(400, "invalid_grant", "redirect_uri does not match");
            if (pending.challenge) {
              if (!body.code_verifier) return oauthError(400, "invalid_request", "code_verifier required");
              const computed = createHash("sha256").update(body.code_verifier).digest("base64url");
              if (computed !== pending.challenge) return oauthError(400, "invalid_grant", "code_verifier does not match");
            } else if (body.code_verifier) {
              return oauthError(400, "invalid_request", "code_verifier sent without a challenge");
            }
            stats.codeExchanges += 1;
            return issue(grants.get(pending.grantId)!, true);
          }
          if (body.grant_type === "refresh_token") {
            const presented = body.refresh_token ?? "";
            const grant = grantOfRefresh(presented);
            if (!grant || grant.revoked) return oauthError(400, "invalid_grant", "refresh token is invalid or revoked");
            if (grant.refreshToken !== presented) {
              const rotatedAt = grant.previous.get(presented)!;
              if (clock.now() - rotatedAt > reuseWindowMs) {
                grant.revoked = true;
                stats.reuseDetected += 1;
                return oauthError(400, "invalid_grant", "refresh token reuse detected; the grant is revoked");
              }
            }
            stats.refreshes += 1;
            return issue(grant, options.rotateRefreshTokens ?? true);
          }
          return oauthError(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
        },
      },
      {
        name: "revoke",
        method: "POST",
        path: "/revoke",
        handler: (request) => {
          const body = tokenBody(request);
          if (!body) return oauthError(400, "invalid_request", "revocation requests must be form-urlencoded");
          const failed = authenticate(request, body);
          if (failed) return failed;
          const presented = body.token ?? "";
          const access = accessTokens.get(presented);
          const grant = access ? grants.get(access.grantId) : grantOfRefresh(presented);
          if (grant) {
            grant.revoked = true;
            stats.revocations += 1;
          }
          return { status: 200, body: {} };
        },
      },
      {
        name: "api",
        method: "GET",
        path: "/api/me",
        handler: ({ headers }) => {
          const access = accessTokens.get(bearerToken(headers) ?? "");
          const grant = access ? grants.get(access.grantId) : undefined;
          if (!access || !grant || grant.revoked || access.expiresAt <= clock.now()) {
            return { status: 401, body: { error: "invalid_token" }, headers: { "www-authenticate": 'Bearer error="invalid_token"' } };
          }
          return { status: 200, body: { sub: grant.user, scope: grant.scopes.join(" ") } };
        },
      },
    ],
  });

  issuer = server.url;
  return Object.assign(server, {
    clientId,
    clientSecret,
    issuer,
    metadataUrl: `${server.url}/.well-known/oauth-authorization-server`,
    authorizeUrl: `${server.url}/authorize`,
    tokenUrl: `${server.url}/token`,
    revokeUrl: `${server.url}/revoke`,
    apiUrl: `${server.url}/api/me`,
    stats,
    redirectUris,
    async consent(authorizeUrl: string, decision: OAuthConsentDecision = {}) {
      const page = await fetch(authorizeUrl, { redirect: "manual" });
      if (page.status === 302) return page.headers.get("location")!;
      const html = await page.text();
      const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
      if (!request) throw new Error(`consent page did not render (HTTP ${page.status}): ${html.slice(0, 200)}`);
      const answer = await submitForm(`${server.url}/authorize/decision`, { request, user: decision.user ?? "user-1", decision: decision.approve === false ? "deny" : "approve" });
      if (!answer.location) throw new Error(`consent decision did not redirect (HTTP ${answer.status})`);
      return answer.location;
    },
    revokeUser(user: string) {
      for (const grant of grants.values()) if (grant.user === user) grant.revoked = true;
    },
    isRevoked(refreshToken: string) {
      return grantOfRefresh(refreshToken)?.revoked ?? false;
    },
    refreshTokenState(refreshToken: string) {
      const grant = grantOfRefresh(refreshToken);
      if (!grant) return "unknown" as const;
      if (grant.revoked) return "revoked" as const;
      return grant.refreshToken === refreshToken ? ("current" as const) : ("rotated" as const);
    },
  });
}
