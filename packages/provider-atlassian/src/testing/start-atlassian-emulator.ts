// An in-process emulator of Atlassian OAuth 2.0 (3LO) and the API gateway calls the SDK makes: what
// auth.atlassian.com and api.atlassian.com serve, on one 127.0.0.1 origin, following providers/atlassian.md.
// It owns the wire shapes (status codes, bodies) and the consent simulator; grant rules live in AtlassianGrantStore.
import {
  submitForm,
  bearerToken,
  EMULATOR_REDIRECT_URI,
  ManualClock,
  type Clock,
  startEmulatorServer,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
  type EmulatorServer,
} from "@sdk/oauth/testing";
import { randomBytes } from "node:crypto";
import { AtlassianGrantStore, type AccessGrant, type TokenSet } from "./atlassian-grant-store.js";
import { readConsentPage, renderConsentPage, renderErrorPage } from "./render-consent-page.js";
import { scopesForProducts, type AtlassianProduct } from "./scope-products.js";

export type { AtlassianProduct } from "./scope-products.js";

export interface AtlassianSite {
  /** The cloudId. */
  id: string;
  /** Site name, e.g. "acme". */
  name: string;
  /** e.g. "https://acme.atlassian.net". */
  url: string;
  /** @default an Atlassian CDN avatar URL */
  avatarUrl?: string;
  products: AtlassianProduct[];
}

export interface AtlassianUser {
  accountId: string;
  /** @default `${accountId}@example.com` */
  email?: string;
  /** @default `User ${accountId}` */
  name?: string;
  /** cloudIds this user may grant on the consent page. @default every configured site */
  sites?: string[];
  /**
   * cloudIds accessible-resources lists for this user although the grant does not hold them; API calls to them
   * get 403. Models ID-8490 ("lists the sites the app can reach"). @default []
   */
  listedSites?: string[];
}

export interface AtlassianEmulatorOptions<C extends Clock = ManualClock> {
  /** @default "atlassian-test-client" */
  clientId?: string;
  /** @default "atlassian-test-client-secret-" + 32 random hex characters, new on every start */
  clientSecret?: string;
  /** Callback URLs of the app; `redirect_uri` must equal one exactly. @default [EMULATOR_REDIRECT_URI] ("http://localhost:3000/callback") */
  redirectUris?: string[];
  /** @default one site "acme" (11111111-1111-4111-8111-111111111111) with jira, jsm and confluence */
  sites?: AtlassianSite[];
  /** The first user is the consent page's default. @default one user "user-1" who may grant every site */
  users?: AtlassianUser[];
  /**
   * Accept form-encoded token requests besides JSON. The docs show JSON only; Nango posts forms and it works
   * (UNSURE officially, providers/atlassian.md A1). @default true
   */
  acceptForm?: boolean;
  /** Reject authorize requests without `audience=api.atlassian.com` (the newer docs leave it out). @default true */
  requireAudience?: boolean;
  /** @default 3600 */
  accessTokenTtlSeconds?: number;
  /**
   * Leave `expires_in` out of token answers (the token still lives `accessTokenTtlSeconds`), to check that a client
   * assumes a bounded default lifetime instead of "forever". Atlassian documents `expires_in`. @default false
   */
  omitExpiresIn?: boolean;
  /** Authorization code lifetime (UNSURE, not documented). @default 600_000 (10 min) */
  codeTtlMs?: number;
  /** How long a rotated-out refresh token still works; reuse after it revokes the family. @default 600_000 (10 min) */
  reuseWindowMs?: number;
  /** A refresh token unused this long expires; each refresh resets it. @default 90 days */
  refreshInactivityMs?: number;
  /** A refresh chain dies this long after its consent (UNSURE whether still applied); `Infinity` turns it off. @default 365 days */
  refreshMaxLifetimeMs?: number;
  /**
   * Whether the refresh chain of an earlier consent stays valid after the same user consents again (the grant is
   * one per user and app; UNSURE). `false`: the new code exchange ends the older chains. @default true
   */
  reconsentKeepsRefreshChain?: boolean;
  /** Answer to a wrong client_id/client_secret (not documented; Auth0 underneath answers this). @default 401 `{ error: "access_denied", error_description: "Unauthorized" }` */
  invalidClient?: { status: number; body: unknown };
  /** Redirect parameters of a denied consent (UNSURE; RFC 6749 4.1.2.1 assumed). @default `{ error: "access_denied" }` */
  denial?: { error: string; error_description?: string };
  /**
   * accessible-resources lists a site once per product family (Jira/JSM, Confluence) instead of once
   * (UNSURE, providers/atlassian.md A3; the docs' examples show one entry per product). @default false
   */
  resourcesPerProduct?: boolean;
  /**
   * Status for a token that lacks the scope an API path needs. The gateway is seen answering
   * 401 `{"code":401,"message":"Unauthorized; scope does not match"}` (community reports). @default 401
   */
  scopeMismatchStatus?: 401 | 403;
  /**
   * Answer to a dead refresh token (expired, revoked, rotated out, superseded). The documented one is 403
   * `invalid_grant "Unknown or invalid refresh token."` (providers/atlassian.md A2). Atlassian also answers
   * `{"error":"unauthorized_client","error_description":"refresh_token is invalid"}` at 400 or 403 (ParabolInc/parabol
   * issue #11849): set `{ status: 400 | 403, body: that }`.
   * @default 403 `{ error: "invalid_grant", error_description: "Unknown or invalid refresh token." }`
   */
  deadRefreshTokenAnswer?: { status: number; body: unknown };
  /**
   * Refresh answers carry no `refresh_token` and the presented one stays valid (no rotation), as seen on the community
   * forum (providers/atlassian.md A2, community.developer.atlassian.com t/54555). @default false
   */
  omitRefreshTokenOnRefresh?: boolean;
  /**
   * Scopes the app holds in the developer console; a requested scope outside them is left out of the grant and of the
   * token's `scope` (UNSURE: Atlassian does not document what happens to such a scope). Models a deployment whose app
   * lacks the User identity API (`read:me`). @default every requested scope is granted
   */
  appScopes?: string[];
  /** Where the emulator reads time. @default a new ManualClock */
  clock?: C;
  /** @default 0 (a free port) */
  port?: number;
}

export interface AtlassianEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  accessibleResourcesUrl: string;
  /** Stands in for https://api.atlassian.com (product APIs live under `/ex/jira/{cloudId}`, `/ex/confluence/{cloudId}`). */
  apiBaseUrl: string;
  meUrl: string;
}

export interface AtlassianEmulatorStats {
  /** Token requests that reached the handler (faulted ones are only in `counters.token`). */
  tokenCalls: number;
  codeExchanges: number;
  /** Successful refreshes, reuses inside the window included. */
  refreshes: number;
  /** Refreshes with a rotated-out token outside the reuse window (or from too old a generation). */
  reuseDetected: number;
  /** Families (all refresh chains of a grant) revoked by reuse detection. */
  familyRevocations: number;
  /** Refreshes refused because the refresh token was dead (unknown, expired, revoked, reused). */
  deadRefreshes: number;
  /** Handled calls to accessible-resources, /me and the product APIs. */
  apiCalls: number;
}

export interface AtlassianConsentDecision {
  /** accountId. @default the first configured user */
  user?: string;
  /** cloudIds to tick. @default every site on the page the user may grant */
  sites?: string[];
  /** @default true */
  approve?: boolean;
}

export interface AtlassianEmulator<C extends Clock = ManualClock> extends EmulatorServer<C> {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The app's callback URLs as configured; `atlassianOptionsFor` uses the first. */
  readonly redirectUris: readonly string[];
  readonly endpoints: AtlassianEndpoints;
  readonly stats: AtlassianEmulatorStats;
  /**
   * Drives the consent page over HTTP like a browser: loads `authorizeUrl`, ticks `sites`, submits, and returns the
   * redirect target (callback URL with `code` and `state`, or with `error=access_denied` and `state`).
   */
  consent(authorizeUrl: string, decision?: AtlassianConsentDecision): Promise<string>;
  /** The user removed the app: access tokens get 401, refresh tokens 403, and the next consent starts a new grant. */
  revokeUser(accountId: string): void;
  /** Whether the family of this refresh token (current or rotated-out) was revoked. */
  isFamilyRevoked(refreshToken: string): boolean;
  /** Replaces the sites of the user's grant, as when an admin removes the app from a site. */
  setSites(accountId: string, cloudIds: string[]): void;
  /** The user's grant: union of consented scopes and sites, and how many refresh chains still work. */
  grantOf(accountId: string): { scopes: string[]; sites: string[]; refreshChains: number } | undefined;
}

const DAY_MS = 86_400_000;
const DEFAULT_AVATAR = "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png";
const DEFAULT_SITE: AtlassianSite = {
  id: "11111111-1111-4111-8111-111111111111",
  name: "acme",
  url: "https://acme.atlassian.net",
  products: ["jira", "jsm", "confluence"],
};

/** What each emulated product path needs: products on the site and one classic scope. */
interface ProductPath {
  name: string;
  family: "jira" | "confluence";
  rest: string;
  products: AtlassianProduct[];
  scope: string;
  body: (site: AtlassianSite, user: Required<Pick<AtlassianUser, "accountId" | "email" | "name">>, base: string) => unknown;
}

const PRODUCT_PATHS: ProductPath[] = [
  {
    name: "jira_myself",
    family: "jira",
    rest: "/rest/api/3/myself",
    products: ["jira", "jsm"],
    scope: "read:jira-user",
    body: (_site, user, base) => ({
      self: `${base}/rest/api/3/user?accountId=${user.accountId}`,
      accountId: user.accountId,
      accountType: "atlassian",
      emailAddress: user.email,
      displayName: user.name,
      active: true,
      timeZone: "Etc/UTC",
      locale: "en_US",
    }),
  },
  {
    name: "jira_projects",
    family: "jira",
    rest: "/rest/api/3/project",
    products: ["jira", "jsm"],
    scope: "read:jira-work",
    body: (_site, _user, base) => [
      { self: `${base}/rest/api/3/project/10000`, id: "10000", key: "DEMO", name: "Demo project", projectTypeKey: "software", simplified: false, style: "classic", isPrivate: false },
    ],
  },
  {
    // What jira.js calls first (`projects.searchProjects`): the paginated project list, a PageBean.
    // https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-projects/#api-rest-api-3-project-search-get
    name: "jira_project_search",
    family: "jira",
    rest: "/rest/api/3/project/search",
    products: ["jira", "jsm"],
    scope: "read:jira-work",
    body: (_site, _user, base) => ({
      self: `${base}/rest/api/3/project/search?maxResults=50&startAt=0`,
      maxResults: 50,
      startAt: 0,
      total: 1,
      isLast: true,
      values: [{ self: `${base}/rest/api/3/project/10000`, id: "10000", key: "DEMO", name: "Demo project", projectTypeKey: "software", simplified: false, style: "classic", isPrivate: false }],
    }),
  },
  {
    name: "jsm_servicedesks",
    family: "jira",
    rest: "/rest/servicedeskapi/servicedesk",
    products: ["jsm"],
    scope: "read:servicedesk-request",
    body: (_site, _user, base) => ({
      size: 1,
      start: 0,
      limit: 50,
      isLastPage: true,
      values: [{ id: "1", projectId: "10001", projectName: "Support", projectKey: "SUP", _links: { self: `${base}/rest/servicedeskapi/servicedesk/1` } }],
      _links: { base, context: "", self: `${base}/rest/servicedeskapi/servicedesk` },
    }),
  },
  {
    // GET /wiki/rest/api/user/current (Confluence REST v1, read:confluence-user): the user the token acts as.
    // https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-users/#api-wiki-rest-api-user-current-get
    name: "confluence_current_user",
    family: "confluence",
    rest: "/wiki/rest/api/user/current",
    products: ["confluence"],
    scope: "read:confluence-user",
    body: (_site, user) => ({ type: "known", accountId: user.accountId, accountType: "atlassian", email: user.email, publicName: user.name, displayName: user.name }),
  },
  {
    name: "confluence_spaces",
    family: "confluence",
    rest: "/wiki/api/v2/spaces",
    products: ["confluence"],
    scope: "read:confluence-space.summary",
    body: (site) => ({
      results: [{ id: "65538", key: "DEMO", name: "Demo space", type: "global", status: "current", homepageId: "65541" }],
      _links: { base: `${site.url}/wiki` },
    }),
  },
  {
    // What confluence.js calls first (`space.getSpaces`): the REST v1 space list.
    // https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-space/#api-wiki-rest-api-space-get
    name: "confluence_spaces_v1",
    family: "confluence",
    rest: "/wiki/rest/api/space",
    products: ["confluence"],
    scope: "read:confluence-space.summary",
    body: (site) => ({
      results: [{ id: 65538, key: "DEMO", name: "Demo space", type: "global", status: "current", _links: { webui: "/spaces/DEMO", self: `${site.url}/wiki/rest/api/space/DEMO` } }],
      start: 0,
      limit: 25,
      size: 1,
      _links: { base: `${site.url}/wiki`, context: "/wiki", self: `${site.url}/wiki/rest/api/space` },
    }),
  },
];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

const tokenError = (status: number, error: string, description: string): EmulatorResponse => ({ status, body: { error, error_description: description } });
const gatewayError = (status: number, message: string): EmulatorResponse => ({ status, body: { code: status, message } });

export async function startAtlassianEmulator<C extends Clock = ManualClock>(options: AtlassianEmulatorOptions<C> = {}): Promise<AtlassianEmulator<C>> {
  const clientId = options.clientId ?? "atlassian-test-client";
  // Random per start: a fixed default secret would be a known credential copied into configs and tests.
  const clientSecret = options.clientSecret ?? `atlassian-test-client-secret-${randomBytes(16).toString("hex")}`;
  const redirectUris = options.redirectUris ?? [EMULATOR_REDIRECT_URI];
  // Without a clock, C is its default (ManualClock).
  const clock = options.clock ?? (new ManualClock() as unknown as C);
  const sites = new Map((options.sites ?? [DEFAULT_SITE]).map((site) => [site.id, site]));
  const users = new Map(
    (options.users ?? [{ accountId: "user-1" }]).map((user) => [
      user.accountId,
      {
        accountId: user.accountId,
        email: user.email ?? `${user.accountId}@example.com`,
        name: user.name ?? `User ${user.accountId}`,
        sites: user.sites ?? [...sites.keys()],
        listedSites: user.listedSites ?? [],
      },
    ]),
  );
  for (const user of users.values()) {
    for (const site of [...user.sites, ...user.listedSites]) {
      if (!sites.has(site)) throw new Error(`user ${user.accountId} names site ${site}, which is not configured`);
    }
  }
  const defaultUser = users.keys().next().value;
  if (defaultUser === undefined) throw new Error("configure at least one user");
  const denial = options.denial ?? { error: "access_denied" };
  const invalidClient = options.invalidClient ?? { status: 401, body: { error: "access_denied", error_description: "Unauthorized" } };
  const scopeMismatchStatus = options.scopeMismatchStatus ?? 401;
  const store = new AtlassianGrantStore({
    now: clock.now,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    codeTtlMs: options.codeTtlMs ?? 600_000,
    reuseWindowMs: options.reuseWindowMs ?? 600_000,
    refreshInactivityMs: options.refreshInactivityMs ?? 90 * DAY_MS,
    refreshMaxLifetimeMs: options.refreshMaxLifetimeMs ?? 365 * DAY_MS,
    reconsentKeepsRefreshChain: options.reconsentKeepsRefreshChain ?? true,
  });
  const pending = new Map<string, { redirectUri: string; state: string | null; scopes: string[]; sites: string[] }>();
  const stats: AtlassianEmulatorStats = { tokenCalls: 0, codeExchanges: 0, refreshes: 0, reuseDetected: 0, familyRevocations: 0, deadRefreshes: 0, apiCalls: 0 };
  let baseUrl = "";

  const redirect = (target: string, params: Record<string, string | null | undefined>): EmulatorResponse => {
    const back = new URL(target);
    for (const [key, value] of Object.entries(params)) if (value != null) back.searchParams.set(key, value);
    return { status: 302, headers: { location: back.toString() } };
  };

  // An authorize error that must not go back to the app (unknown client, unregistered redirect_uri) sends the browser
  // to Atlassian's own error page with the OAuth error name and description on its query, as id.atlassian.com does:
  // `/error?error=unauthorized_client&error_description=redirect_uri is not registered for client: ...`
  // (humanlayer/humanlayer#1068, atlassian/atlassian-mcp-server#246) and `error=invalid_request&error_description=
  // failed to retrieve client` for an unknown client_id (BerriAI/litellm#42678). Never raw HTML in what a caller reads.
  const errorPage = (error: string, description: string): EmulatorResponse => {
    const target = new URL(`${baseUrl}/error`);
    target.searchParams.set("error", error);
    target.searchParams.set("error_description", description);
    return { status: 302, headers: { location: target.toString() } };
  };
  const isErrorPage = (location: string) => location.startsWith(`${baseUrl}/error?`);
  /** What an error-page location says, for the consent helper's exceptions: `code (description)`, never HTML. */
  const describeErrorPage = (location: string) => {
    const params = new URL(location).searchParams;
    return `${params.get("error") ?? "unknown_error"} (${params.get("error_description") ?? "no description"})`;
  };

  /** Bearer check shared by every gateway path: 401 without a live token. */
  const authenticate = (request: EmulatorRequest): AccessGrant | EmulatorResponse => {
    stats.apiCalls += 1;
    return store.accessGrant(bearerToken(request.headers) ?? "") ?? gatewayError(401, "Unauthorized");
  };
  const isAnswer = (value: AccessGrant | EmulatorResponse): value is EmulatorResponse => "status" in value;
  const scopeMismatch = () => gatewayError(scopeMismatchStatus, scopeMismatchStatus === 401 ? "Unauthorized; scope does not match" : "Forbidden; scope does not match");

  const tokenAnswer = (tokens: TokenSet): EmulatorResponse => {
    if (!options.omitExpiresIn) return { status: 200, body: tokens };
    const { expires_in: _omitted, ...rest } = tokens;
    return { status: 200, body: rest };
  };

  const tokenBody = (request: EmulatorRequest): Record<string, string> | undefined => {
    const accepted = request.bodyFormat === "json" || (request.bodyFormat === "form" && (options.acceptForm ?? true));
    if (!accepted || !request.body || typeof request.body !== "object" || Array.isArray(request.body)) return undefined;
    return Object.fromEntries(Object.entries(request.body as Record<string, unknown>).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
  };

  const resources = (access: AccessGrant) => {
    const user = users.get(access.user)!;
    const listed = [...new Set([...access.sites, ...user.listedSites])].map((id) => sites.get(id)).filter((site) => site !== undefined);
    return listed.flatMap((site) => {
      const entry = (scopes: string[]) => ({ id: site.id, url: site.url, name: site.name, scopes, avatarUrl: site.avatarUrl ?? DEFAULT_AVATAR });
      if (!options.resourcesPerProduct) return [entry(scopesForProducts(access.scopes, site.products))];
      const families = [site.products.filter((product) => product !== "confluence"), site.products.filter((product) => product === "confluence")];
      const entries = families.filter((products) => products.length > 0).map((products) => scopesForProducts(access.scopes, products)).filter((scopes) => scopes.length > 0).map(entry);
      return entries.length > 0 ? entries : [entry([])];
    });
  };

  const productRoute = (path: ProductPath): EmulatorRoute => ({
    name: path.name,
    method: "GET",
    path: new RegExp(`^/ex/${path.family}/(?<cloudId>[^/]+)${escapeRegExp(path.rest)}$`),
    handler: (request) => {
      const access = authenticate(request);
      if (isAnswer(access)) return access;
      const site = sites.get(request.params.cloudId ?? "");
      if (!site || !path.products.some((product) => site.products.includes(product))) return gatewayError(404, "Not Found");
      if (!access.sites.has(site.id)) return gatewayError(403, "Forbidden; the app is not authorized on this site");
      if (!access.scopes.includes(path.scope)) return scopeMismatch();
      return { status: 200, body: path.body(site, users.get(access.user)!, `${baseUrl}/ex/${path.family}/${site.id}`) };
    },
  });

  const server = await startEmulatorServer({
    clock,
    ...(options.port !== undefined ? { port: options.port } : {}),
    routes: [
      {
        name: "authorize",
        method: "GET",
        path: "/authorize",
        handler: ({ query }) => {
          if (query.get("client_id") !== clientId) return errorPage("invalid_request", "failed to retrieve client");
          const redirectUri = query.get("redirect_uri") ?? "";
          // Never redirect to an unregistered URI: the error stays on Atlassian's page.
          if (!redirectUris.includes(redirectUri)) return errorPage("unauthorized_client", `redirect_uri is not registered for client: ${redirectUri}`);
          // UNSURE: Atlassian documents `audience=api.atlassian.com` as required but not the answer without it.
          if ((options.requireAudience ?? true) && query.get("audience") !== "api.atlassian.com") return errorPage("invalid_request", "audience must be api.atlassian.com");
          const state = query.get("state");
          if (query.get("response_type") !== "code") return redirect(redirectUri, { error: "unsupported_response_type", state });
          const scopes = (query.get("scope") ?? "").split(" ").filter(Boolean);
          if (scopes.length === 0) return redirect(redirectUri, { error: "invalid_scope", state });
          // Only sites offering a requested product can be picked, as on Atlassian's site picker.
          const offered = [...sites.values()].filter((site) => scopesForProducts(scopes, site.products).length > 0);
          const request = randomBytes(12).toString("base64url");
          pending.set(request, { redirectUri, state, scopes, sites: offered.map((site) => site.id) });
          return { status: 200, html: renderConsentPage({ request, clientId, scopes, sites: offered, defaultUser }) };
        },
      },
      {
        name: "authorize_decision",
        method: "POST",
        path: "/authorize/decision",
        handler: ({ rawBody }) => {
          // Read the raw form: `site` repeats once per ticked checkbox.
          const form = new URLSearchParams(rawBody);
          const authorization = pending.get(form.get("request") ?? "");
          if (!authorization) return errorPage("invalid_request", "unknown or already used authorization request");
          pending.delete(form.get("request")!);
          if (form.get("decision") !== "approve") return redirect(authorization.redirectUri, { ...denial, state: authorization.state });
          const user = users.get(form.get("user") ?? "");
          if (!user) return errorPage("invalid_request", "unknown account");
          const chosen = [...new Set(form.getAll("site"))];
          const refused = chosen.find((site) => !authorization.sites.includes(site) || !user.sites.includes(site));
          if (refused !== undefined) return errorPage("invalid_request", `account ${user.accountId} cannot grant site ${refused}`);
          const granted = options.appScopes ? authorization.scopes.filter((scope) => scope === "offline_access" || options.appScopes!.includes(scope)) : authorization.scopes;
          const code = store.approve({ user: user.accountId, scopes: granted, sites: chosen, redirectUri: authorization.redirectUri });
          return redirect(authorization.redirectUri, { code, state: authorization.state });
        },
      },
      {
        name: "error_page",
        method: "GET",
        path: "/error",
        handler: ({ query }) => ({ status: 400, html: renderErrorPage(query.get("error") ?? "unknown_error", query.get("error_description") ?? "") }),
      },
      {
        name: "token",
        method: "POST",
        path: "/oauth/token",
        handler: (request) => {
          stats.tokenCalls += 1;
          const body = tokenBody(request);
          if (!body) return tokenError(400, "invalid_request", "Send the token request as a JSON object");
          if (body.client_id !== clientId || body.client_secret !== clientSecret) return { status: invalidClient.status, body: invalidClient.body };
          if (body.grant_type === "authorization_code") {
            const outcome = store.exchange(body.code ?? "", body.redirect_uri ?? "");
            if (!outcome.ok) {
              return tokenError(403, "invalid_grant", outcome.reason === "redirect_mismatch" ? "redirect_uri does not match the authorization request" : "Invalid authorization code");
            }
            stats.codeExchanges += 1;
            return tokenAnswer(outcome.tokens);
          }
          if (body.grant_type === "refresh_token") {
            const outcome = store.refresh(body.refresh_token ?? "", { rotate: !options.omitRefreshTokenOnRefresh });
            if (!outcome.ok) {
              if (outcome.reason === "reuse") {
                stats.reuseDetected += 1;
                if (outcome.familyRevokedNow) stats.familyRevocations += 1;
              }
              stats.deadRefreshes += 1;
              if (options.deadRefreshTokenAnswer) return { status: options.deadRefreshTokenAnswer.status, body: options.deadRefreshTokenAnswer.body };
              return tokenError(403, "invalid_grant", "Unknown or invalid refresh token.");
            }
            stats.refreshes += 1;
            return tokenAnswer(outcome.tokens);
          }
          return tokenError(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token");
        },
      },
      {
        name: "accessible_resources",
        method: "GET",
        path: "/oauth/token/accessible-resources",
        handler: (request) => {
          const access = authenticate(request);
          return isAnswer(access) ? access : { status: 200, body: resources(access) };
        },
      },
      {
        name: "me",
        method: "GET",
        path: "/me",
        handler: (request) => {
          const access = authenticate(request);
          if (isAnswer(access)) return access;
          if (!access.scopes.includes("read:me")) return scopeMismatch();
          const user = users.get(access.user)!;
          return {
            status: 200,
            body: {
              account_type: "atlassian",
              account_id: user.accountId,
              email: user.email,
              email_verified: true,
              name: user.name,
              nickname: user.name,
              picture: DEFAULT_AVATAR,
              account_status: "active",
              zoneinfo: "Etc/UTC",
              locale: "en-US",
            },
          };
        },
      },
      ...PRODUCT_PATHS.map(productRoute),
    ],
  });
  baseUrl = server.url;
  const resetRouteCounters = server.resetCounters;

  return Object.assign(server, {
    clientId,
    clientSecret,
    redirectUris: [...redirectUris],
    endpoints: {
      authorizeUrl: `${server.url}/authorize`,
      tokenUrl: `${server.url}/oauth/token`,
      accessibleResourcesUrl: `${server.url}/oauth/token/accessible-resources`,
      apiBaseUrl: server.url,
      meUrl: `${server.url}/me`,
    },
    stats,
    resetCounters() {
      resetRouteCounters();
      for (const key of Object.keys(stats) as Array<keyof AtlassianEmulatorStats>) stats[key] = 0;
    },
    async consent(authorizeUrl: string, decision: AtlassianConsentDecision = {}) {
      const page = await fetch(authorizeUrl, { redirect: "manual" });
      const location = page.headers.get("location");
      if (page.status === 302 && location) {
        if (isErrorPage(location)) throw new Error(`Atlassian authorize shows an error page: ${describeErrorPage(location)}`);
        return location;
      }
      const form = readConsentPage(await page.text());
      if (!form) throw new Error(`Atlassian authorize did not show its consent page (HTTP ${page.status})`);
      const user = decision.user ?? defaultUser;
      const grantable = users.get(user)?.sites ?? [];
      const ticked = decision.sites ?? form.sites.filter((site) => grantable.includes(site));
      const fields = new URLSearchParams({ request: form.request, user, decision: decision.approve === false ? "deny" : "approve" });
      for (const site of ticked) fields.append("site", site);
      const answer = await submitForm(`${server.url}/authorize/decision`, fields);
      if (!answer.location) throw new Error(`Atlassian consent did not redirect (HTTP ${answer.status})`);
      if (isErrorPage(answer.location)) throw new Error(`Atlassian consent shows an error page: ${describeErrorPage(answer.location)}`);
      return answer.location;
    },
    revokeUser: (accountId: string) => store.revokeUser(accountId),
    isFamilyRevoked: (refreshToken: string) => store.isFamilyRevoked(refreshToken),
    setSites(accountId: string, cloudIds: string[]) {
      const unknown = cloudIds.find((id) => !sites.has(id));
      if (unknown !== undefined) throw new Error(`site ${unknown} is not configured`);
      store.setSites(accountId, cloudIds);
    },
    grantOf: (accountId: string) => store.grantOf(accountId),
  });
}
