// The Sentry integration-platform emulator: external install (passing `?state=` through) and installs from Sentry's
// own directory, installation grants and tokens (8 h, a refresh deletes the old token at once), verify install, the
// org projects and releases APIs, internal-integration and org auth tokens, and signed installation webhooks, as
// providers/sentry.md describes them. It maps HTTP to SentryInstallationLedger and holds no SDK logic.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import {
  submitForm,
  EMULATOR_REDIRECT_URI,
  ManualClock,
  type Clock,
  bearerToken,
  escapeHtml,
  startEmulatorServer,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorServer,
} from "@sdk/oauth/testing";
import { SentryInstallationLedger, type SentryInstallation, type SentryInstallationToken, type SentryPrincipal, type SentryTokenOutcome } from "./sentry-installation-ledger.js";

export interface SentryOrganization {
  slug: string;
  /** @default the slug */
  name?: string;
  /** What `GET /api/0/organizations/{org}/projects/` lists. @default one project `"<org slug>-project"` */
  projects?: Array<{ slug: string; name?: string; platform?: string }>;
}

export interface SentryEmulatorOptions<C extends Clock = ManualClock> {
  /** The Sentry App's slug: the install URL is `/sentry-apps/{slug}/external-install/`. @default "test-app" */
  slug?: string;
  /** The app's UUID, sent in webhooks as `data.installation.app.uuid`. @default a random UUID */
  appUuid?: string;
  /** @default "sentry-test-client-id" */
  clientId?: string;
  /** Also the webhook signing key. @default "sentry-test-client-secret-" + 32 random hex characters, new on every start */
  clientSecret?: string;
  /**
   * The app's configured Redirect URL. Sentry sends every approved install there with `code`, `installationId`
   * and `orgSlug`, plus `state` when the external-install URL carried `?state=` (the frontend copies it:
   * getsentry/sentry static/app/views/sentryAppExternalInstallation/index.tsx `onInstall`). An install from Sentry's
   * own integration directory redirects without state (sentryAppDetailedView.tsx `redirectUser`).
   * A Sentry App has exactly one, so this option is a single URL where the other emulators take `redirectUris`.
   * @default EMULATOR_REDIRECT_URI ("http://localhost:3000/callback")
   * @see https://docs.sentry.io/organization/integrations/integration-platform/public-integration/
   */
  redirectUrl?: string;
  /** Organizations the consent page offers in its `org` picker. @default [{ slug: "test-org", name: "Test Org" }] */
  organizations?: SentryOrganization[];
  /** Scopes the app holds; installation tokens carry them. Listing projects needs `org:read`, `org:write` or `org:admin`. @default ["org:read", "project:read"] */
  scopes?: string[];
  /** Installation token lifetime (Sentry's `TOKEN_LIFE_IN_HOURS = 8`). @default 28_800_000 */
  accessTokenTtlMs?: number;
  /** Grant code lifetime. @default 600_000 */
  codeTtlMs?: number;
  /**
   * UNSURE: Sentry documents no refresh-token expiry. When set, a refresh token older than this is treated as
   * missing (401 "Given refresh token does not exist"). @default undefined (never expires)
   */
  refreshTokenTtlMs?: number;
  /** UNSURE: the status of "Invalid Client ID / Secret pair" (DRF may turn the 401 into a 403). @default 401 */
  invalidClientStatus?: 401 | 403;
  /** A label only: the SDK treats region hosts as configuration and this emulator serves one origin. @default "sentry.io" */
  regionHost?: string;
  /** Webhook deliveries that take longer fail; Sentry expects a reply within 1 s. @default 1000 */
  webhookTimeoutMs?: number;
  /** Where the emulator reads time. @default a new ManualClock */
  clock?: C;
  /** @default 0 (a free port) */
  port?: number;
}

export interface SentryEmulatorEndpoints {
  /** Replaces `https://sentry.io` (or a region / self-hosted host). */
  baseUrl: string;
  installUrl(slug: string): string;
  authorizationsUrl(installationId: string): string;
  installationUrl(installationId: string): string;
  /** Replaces `https://sentry.io/api/0`. */
  apiBaseUrl: string;
}

export interface SentryInstallationSnapshot {
  uuid: string;
  orgSlug: string;
  user: string;
  status: "pending" | "installed";
  /** True after `uninstall`. */
  deleted: boolean;
}

export interface SentryEmulatorStats {
  /** Every request the authorizations endpoint answered (faults excluded), success or not. */
  tokenCalls: number;
  codeExchanges: number;
  refreshes: number;
  /** Successful verify-install PUTs. */
  verifications: number;
  /** Every request the organization projects endpoint answered (faults excluded). */
  apiCalls: number;
  webhooksSent: number;
}

export interface SentryConsentDecision {
  /** @default "user-1" */
  user?: string;
  /** The organization slug to install into. @default the first configured organization */
  org?: string;
  /** @default true */
  approve?: boolean;
}

export interface SentryWebhookInput {
  action: "created" | "deleted";
  installationId: string;
  /** `Sentry-Hook-Timestamp` in seconds. @default the emulator clock */
  timestamp?: number;
  /** `Request-ID`, to redeliver one delivery. @default a random UUID */
  requestId?: string;
  /** @default the user who installed: `{ id, name, type: "user" }` */
  actor?: Record<string, unknown>;
  /** Sign with this key instead of the client secret, to test that a receiver rejects a bad signature. */
  signWith?: string;
}

export interface SentryEmulator<C extends Clock = ManualClock> extends EmulatorServer<C> {
  readonly slug: string;
  readonly appUuid: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUrl: string;
  readonly regionHost: string;
  readonly endpoints: SentryEmulatorEndpoints;
  readonly stats: SentryEmulatorStats;
  /** Clears the per-route counters and the log, and also zeroes `stats`, so one test's calls do not leak into the next one's. */
  resetCounters(): void;
  /**
   * Drives the external-install page over HTTP like a browser: loads `installUrl`, picks the user and organization,
   * submits the decision and returns the redirect target: the app's redirect URL with `code`, `installationId`,
   * `orgSlug` (and `state` when `installUrl` had one) on approval, or the emulator's own "cancelled" page on denial
   * (Sentry does not redirect back). An organization that already has the app installed gets Sentry's "already
   * installed" page and no redirect: this throws with that text.
   */
  consent(installUrl: string, decision?: SentryConsentDecision): Promise<string>;
  /**
   * An install started on Sentry's own integration directory ("Accept & Install" on sentry.io): no install URL of
   * the service, so the redirect carries `code`, `installationId` and `orgSlug` and never `state`. Throws when the
   * organization already has the app (Sentry then shows "Uninstall" instead of an install button).
   */
  installFromDirectory(decision?: Omit<SentryConsentDecision, "approve">): Promise<string>;
  /**
   * An internal-integration token for `orgSlug`: unprefixed 64-hex (`sntryi_` is defined but unused), never
   * expires, the app's scopes by default. (providers/sentry.md "API auth"; sentry models/apitoken.py)
   */
  createInternalIntegrationToken(orgSlug: string, options?: { scopes?: string[] }): string;
  /** An organization auth token `sntrys_…` for `orgSlug`: it only ever holds `org:ci` (releases, uploads). */
  createOrgAuthToken(orgSlug: string): string;
  /** Deletes an internal-integration or org auth token: later API calls with it get 401. */
  revokeOrgToken(token: string): void;
  /** POSTs a signed `installation` webhook to `targetUrl` and returns the receiver's HTTP status. */
  sendInstallationWebhook(targetUrl: string, input: SentryWebhookInput): Promise<number>;
  /** The organization removed the app: the installation, its grant and its tokens are deleted. */
  uninstall(installationId: string): void;
  getInstallation(installationId: string): SentryInstallationSnapshot | undefined;
}

type Principal = SentryPrincipal | { kind: "rejected"; response: EmulatorResponse };

const EIGHT_HOURS_MS = 8 * 60 * 60 * 1000;
const NO_PERMISSION = "You do not have permission to perform this action.";
const NOT_FOUND = "The requested resource does not exist";

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

function detail(status: number, message: string): EmulatorResponse {
  return { status, body: { detail: message } };
}

const readsOrg = (scopes: readonly string[]) => scopes.some((scope) => scope === "org:read" || scope === "org:write" || scope === "org:admin");

/** An organization as Sentry's organization endpoints describe it (the fields clients read first). */
function organizationBody(org: SentryOrganization) {
  return { id: String(Math.abs([...org.slug].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) | 0, 7))), slug: org.slug, name: org.name ?? org.slug, dateCreated: new Date(Date.UTC(2025, 0, 1)).toISOString(), status: { id: "active", name: "active" }, isEarlyAdopter: false, require2FA: false, features: [] };
}

function htmlPage(status: number, title: string, body: string): EmulatorResponse {
  return { status, html: `<!doctype html><html><head><title>${escapeHtml(title)}</title></head><body>\n${body}\n</body></html>` };
}

/** Sentry reads the JSON body only: a form body or Basic header leaves the client unauthenticated. */
function jsonFields(request: EmulatorRequest): Record<string, unknown> {
  return request.bodyFormat === "json" && request.body !== null && typeof request.body === "object" ? (request.body as Record<string, unknown>) : {};
}

function stringField(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  return typeof value === "string" ? value : undefined;
}

export async function startSentryEmulator<C extends Clock = ManualClock>(options: SentryEmulatorOptions<C> = {}): Promise<SentryEmulator<C>> {
  const slug = options.slug ?? "test-app";
  const appUuid = options.appUuid ?? randomUUID();
  const clientId = options.clientId ?? "sentry-test-client-id";
  // Random per start: a fixed default secret would be a known credential (here also the webhook signing key).
  const clientSecret = options.clientSecret ?? `sentry-test-client-secret-${randomBytes(16).toString("hex")}`;
  const scopes = options.scopes ?? ["org:read", "project:read"];
  const accessTokenTtlMs = options.accessTokenTtlMs ?? EIGHT_HOURS_MS;
  const codeTtlMs = options.codeTtlMs ?? 600_000;
  // Without a clock, C is its default (ManualClock).
  const clock = options.clock ?? (new ManualClock() as unknown as C);
  const redirectUrl = options.redirectUrl ?? EMULATOR_REDIRECT_URI;
  const organizations = new Map((options.organizations ?? [{ slug: "test-org", name: "Test Org" }]).map((org) => [org.slug, org]));
  if (organizations.size === 0) throw new Error("startSentryEmulator needs at least one organization");

  const ledger = new SentryInstallationLedger({ now: clock.now, accessTokenTtlMs, codeTtlMs, refreshTokenTtlMs: options.refreshTokenTtlMs, scopes });
  /** Install pages rendered and not yet decided, with the `?state=` each was opened with. */
  const pendingInstalls = new Map<string, { state: string | null }>();
  const stats: SentryEmulatorStats = { tokenCalls: 0, codeExchanges: 0, refreshes: 0, verifications: 0, apiCalls: 0, webhooksSent: 0 };
  let baseUrl = "";

  const installPath = `/sentry-apps/${slug}/external-install/`;
  /** The 201 of the authorizations endpoint for a token the ledger issued (providers/sentry.md "Response"). */
  const tokenResponse = (row: SentryInstallationToken): EmulatorResponse => ({
    status: 201,
    body: {
      id: row.id,
      token: row.token,
      refreshToken: row.refreshToken,
      dateCreated: new Date(row.createdAt).toISOString(),
      expiresAt: new Date(row.expiresAt).toISOString(),
      // The token's scopes: the app's.
      scopes,
      state: null,
      application: null,
    },
  });

  const authenticate = (request: EmulatorRequest): Principal => {
    const presented = bearerToken(request.headers);
    if (!presented) return { kind: "rejected", response: detail(401, "Authentication credentials were not provided.") };
    const principal = ledger.authenticate(presented);
    if (principal.kind === "invalid") return { kind: "rejected", response: detail(401, "Invalid token") };
    if (principal.kind === "expired") return { kind: "rejected", response: detail(401, "Token expired") };
    return principal;
  };

  /**
   * The installation named in the path, read by its own proxy user (SentryAppInstallationPermission,
   * sentry_apps/api/bases/sentryapps.py): 401 without a valid token, 404 for an unknown one, 403 for any other token.
   */
  const ownInstallation = (request: EmulatorRequest): { response: EmulatorResponse } | { installation: SentryInstallation; scopes: readonly string[] } => {
    const principal = authenticate(request);
    if (principal.kind === "rejected") return { response: principal.response };
    const installation = ledger.liveInstallation(request.params.installationId);
    if (!installation) return { response: detail(404, NOT_FOUND) };
    if (principal.kind !== "installation" || principal.installation !== installation) return { response: detail(403, NO_PERMISSION) };
    return { installation, scopes: principal.scopes };
  };

  /**
   * The organization named in the path, for a token of that organization (OrganizationPermission,
   * sentry api/bases/organization.py): 401 without a valid token, 404 for an unknown one, 403 for another's token.
   * Each route then checks the scopes it needs.
   */
  const ownOrganization = (request: EmulatorRequest): { response: EmulatorResponse } | { org: SentryOrganization; scopes: readonly string[] } => {
    const principal = authenticate(request);
    if (principal.kind === "rejected") return { response: principal.response };
    const org = organizations.get(request.params.org ?? "");
    if (!org) return { response: detail(404, NOT_FOUND) };
    if (principal.orgSlug !== org.slug) return { response: detail(403, NO_PERMISSION) };
    return { org, scopes: principal.scopes };
  };

  /** sentry_app_installation serializer: what the details GET and the verify-install PUT answer. */
  const serializeInstallation = (installation: SentryInstallation) => ({ uuid: installation.uuid, status: installation.status, organization: { slug: installation.orgSlug }, app: { uuid: appUuid, slug } });

  /** The authorizations endpoint's answer to a ledger outcome (grant_exchanger.py, refresher.py). */
  const tokenOutcome = (outcome: SentryTokenOutcome): EmulatorResponse => {
    if (outcome.ok) return tokenResponse(outcome.token);
    if (outcome.reason === "unknown_code") return detail(401, "Could not find grant for given code");
    if (outcome.reason === "other_installation") return detail(401, "Forbidden grant");
    if (outcome.reason === "code_expired") return detail(401, "Grant has already expired");
    // Raised as SentryAppIntegratorError, whose default status is 400 (sentry utils/errors.py; refresher.py).
    if (outcome.reason === "unknown_refresh_token") return detail(400, "Given refresh token does not exist");
    return detail(400, "Token does not belong to the application");
  };

  /** Sentry's frontend disables the install for an org that has the app and says so; nothing redirects. */
  const alreadyInstalled = (org: SentryOrganization) =>
    htmlPage(200, "Already installed", `<p id="already-installed">Integration ${escapeHtml(slug)} already installed for ${escapeHtml(org.name ?? org.slug)}</p>`);

  /** Installs into `org` and redirects to the app's Redirect URL with the install's code. */
  const install = (org: SentryOrganization, user: string, state: string | null): EmulatorResponse => {
    const installation = ledger.install(org.slug, user);
    const target = new URL(redirectUrl);
    target.searchParams.set("installationId", installation.uuid);
    target.searchParams.set("code", installation.code);
    target.searchParams.set("orgSlug", org.slug);
    if (state) target.searchParams.set("state", state);
    return { status: 302, headers: { location: target.toString() } };
  };

  const consentPage = (request: string) => {
    const orgOptions = [...organizations.values()]
      .map((org) => `<option value="${escapeHtml(org.slug)}">${escapeHtml(org.name ?? org.slug)}</option>`)
      .join("");
    return htmlPage(
      200,
      `Install ${slug}`,
      `<h1 id="title">Install ${escapeHtml(slug)}</h1>
<p id="region">${escapeHtml(options.regionHost ?? "sentry.io")}</p>
<p id="scopes">Permissions: ${escapeHtml(scopes.join(", ") || "(none)")}</p>
<form method="post" action="${escapeHtml(installPath)}decision/"><input type="hidden" name="request" value="${request}">
<label>User <input id="user" name="user" value="user-1"></label>
<label>Organization <select id="org" name="org">${orgOptions}</select></label>
<button id="approve" name="decision" value="approve">Accept &amp; Install</button>
<button id="deny" name="decision" value="deny">Cancel</button></form>`,
    );
  };

  const decide = (form: Record<string, string>): EmulatorResponse => {
    const pending = pendingInstalls.get(form.request ?? "");
    if (!pending) return htmlPage(400, "Install failed", `<p id="error">unknown or used install request</p>`);
    pendingInstalls.delete(form.request!);
    if (form.decision !== "approve") return { status: 302, headers: { location: `${baseUrl}${installPath}cancelled/` } };
    const org = organizations.get(form.org ?? "");
    if (!org) return htmlPage(400, "Install failed", `<p id="error">unknown organization</p>`);
    // sentryAppExternalInstallation/index.tsx: `isInstalled` disables the button and shows "already installed".
    if (ledger.liveInstallationOf(org.slug)) return alreadyInstalled(org);
    return install(org, form.user || "user-1", pending.state);
  };

  // OrganizationReleasePermission (sentry api/bases/organization.py): GET and POST accept org:ci, which is all an org
  // auth token (`sntrys_`) can hold.
  const releasesPath = /\/api\/0\/organizations\/(?<org>[^/]+)\/releases\//;
  const releasesHandler = (request: EmulatorRequest): EmulatorResponse => {
    stats.apiCalls += 1;
    const owned = ownOrganization(request);
    if ("response" in owned) return owned.response;
    const { org, scopes } = owned;
    const allowed = request.method === "GET" ? ["project:read", "project:write", "project:admin", "project:releases", "org:ci"] : ["project:write", "project:admin", "project:releases", "org:ci"];
    if (!scopes.some((scope) => allowed.includes(scope))) return detail(403, NO_PERMISSION);
    if (request.method === "GET") return { status: 200, body: ledger.releasesOf(org.slug) };
    const version = stringField(jsonFields(request), "version");
    if (!version) return { status: 400, body: { version: ["This field is required."] } };
    return { status: 201, body: ledger.addRelease(org.slug, version) };
  };

  const installationIdPattern = "(?<installationId>[^/]+)";
  const server = await startEmulatorServer({
    clock,
    port: options.port,
    routes: [
      {
        name: "install",
        method: "GET",
        path: /\/sentry-apps\/(?<slug>[^/]+)\/external-install\//,
        handler: ({ params, query }) => {
          if (params.slug !== slug) return htmlPage(404, "Not found", `<p id="error">no Sentry App with this slug</p>`);
          const request = randomBytes(12).toString("base64url");
          pendingInstalls.set(request, { state: query.get("state") });
          return consentPage(request);
        },
      },
      {
        name: "install_decision",
        method: "POST",
        path: `${installPath}decision/`,
        handler: ({ body, bodyFormat }) => decide(bodyFormat === "form" ? (body as Record<string, string>) : {}),
      },
      {
        name: "install_cancelled",
        method: "GET",
        path: `${installPath}cancelled/`,
        handler: () => htmlPage(200, "Installation cancelled", `<h1 id="cancelled">Installation cancelled</h1>`),
      },
      {
        name: "authorizations",
        method: "POST",
        path: new RegExp(`/api/0/sentry-app-installations/${installationIdPattern}/authorizations/`),
        handler: (request) => {
          stats.tokenCalls += 1;
          const fields = jsonFields(request);
          if (stringField(fields, "client_id") !== clientId || stringField(fields, "client_secret") !== clientSecret) {
            return detail(options.invalidClientStatus ?? 401, "Invalid Client ID / Secret pair");
          }
          const installation = ledger.liveInstallation(request.params.installationId);
          if (!installation) return detail(404, NOT_FOUND);
          const grantType = stringField(fields, "grant_type");
          if (grantType === "authorization_code") {
            const outcome = ledger.exchangeCode(installation, stringField(fields, "code") ?? "");
            if (outcome.ok) stats.codeExchanges += 1;
            return tokenOutcome(outcome);
          }
          if (grantType === "refresh_token") {
            const outcome = ledger.refresh(installation, stringField(fields, "refresh_token") ?? "");
            if (outcome.ok) stats.refreshes += 1;
            return tokenOutcome(outcome);
          }
          // Not a SentryAppIntegratorError: a 403 whose key is `error`, not `detail` (sentry_app_authorizations.py).
          return { status: 403, body: { error: "Invalid grant_type" } };
        },
      },
      {
        // sentry_app_installation_details.py `get` -> serialize(installation). SentryAppInstallationPermission: the
        // app's proxy user (an installation token) may read only its own installation, with a GET scope
        // (org:read, org:integrations, org:write, org:admin) (sentry_apps/api/bases/sentryapps.py).
        name: "installation_details",
        method: "GET",
        path: new RegExp(`/api/0/sentry-app-installations/${installationIdPattern}/`),
        handler: (request) => {
          const own = ownInstallation(request);
          if ("response" in own) return own.response;
          if (!own.scopes.some((scope) => ["org:read", "org:integrations", "org:write", "org:admin"].includes(scope))) return detail(403, NO_PERMISSION);
          return { status: 200, body: serializeInstallation(own.installation) };
        },
      },
      {
        name: "installation",
        method: "PUT",
        path: new RegExp(`/api/0/sentry-app-installations/${installationIdPattern}/`),
        handler: (request) => {
          const own = ownInstallation(request);
          if ("response" in own) return own.response;
          const status = stringField(jsonFields(request), "status");
          if (status !== "installed") return { status: 400, body: { status: [`Invalid value '${status ?? ""}' for status. Valid values: 'installed'`] } };
          own.installation.status = "installed";
          stats.verifications += 1;
          return { status: 200, body: serializeInstallation(own.installation) };
        },
      },
      {
        name: "projects",
        method: "GET",
        path: /\/api\/0\/organizations\/(?<org>[^/]+)\/projects\//,
        handler: (request) => {
          stats.apiCalls += 1;
          const owned = ownOrganization(request);
          if ("response" in owned) return owned.response;
          const { org, scopes } = owned;
          if (!readsOrg(scopes)) return detail(403, NO_PERMISSION);
          const projects = org.projects ?? [{ slug: `${org.slug}-project` }];
          return {
            status: 200,
            body: projects.map((project, index) => ({
              id: String(index + 1),
              slug: project.slug,
              name: project.name ?? project.slug,
              platform: project.platform ?? null,
              dateCreated: new Date(Date.UTC(2025, 0, 1)).toISOString(),
            })),
          };
        },
      },
      // What @sentry/api and most clients call first. A token belongs to one organization, so the list holds that one.
      // https://docs.sentry.io/api/organizations/list-your-organizations/
      // https://docs.sentry.io/api/organizations/retrieve-an-organization/
      {
        name: "organizations",
        method: "GET",
        path: "/api/0/organizations/",
        handler: (request) => {
          stats.apiCalls += 1;
          const principal = authenticate(request);
          if (principal.kind === "rejected") return principal.response;
          const org = organizations.get(principal.orgSlug);
          if (!readsOrg(principal.scopes) || !org) return { status: 200, body: [] };
          return { status: 200, body: [organizationBody(org)] };
        },
      },
      {
        name: "organization",
        method: "GET",
        path: /\/api\/0\/organizations\/(?<org>[^/]+)\//,
        handler: (request) => {
          stats.apiCalls += 1;
          const owned = ownOrganization(request);
          if ("response" in owned) return owned.response;
          if (!readsOrg(owned.scopes)) return detail(403, NO_PERMISSION);
          return { status: 200, body: organizationBody(owned.org) };
        },
      },
      { name: "releases", method: "GET", path: releasesPath, handler: releasesHandler },
      { name: "releases_create", method: "POST", path: releasesPath, handler: releasesHandler },
    ],
  });
  baseUrl = server.url;

  const resetServerCounters = server.resetCounters;
  return Object.assign(server, {
    slug,
    appUuid,
    clientId,
    clientSecret,
    redirectUrl,
    regionHost: options.regionHost ?? "sentry.io",
    endpoints: {
      baseUrl,
      installUrl: (appSlug: string) => `${baseUrl}/sentry-apps/${appSlug}/external-install/`,
      authorizationsUrl: (installationId: string) => `${baseUrl}/api/0/sentry-app-installations/${installationId}/authorizations/`,
      installationUrl: (installationId: string) => `${baseUrl}/api/0/sentry-app-installations/${installationId}/`,
      apiBaseUrl: `${baseUrl}/api/0`,
    },
    stats,
    resetCounters() {
      resetServerCounters();
      for (const key of Object.keys(stats) as Array<keyof SentryEmulatorStats>) stats[key] = 0;
    },
    async consent(installUrl: string, decision: SentryConsentDecision = {}) {
      const page = await fetch(installUrl, { redirect: "manual" });
      const html = await page.text();
      const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      if (!request || !action) throw new Error(`Sentry install page did not render (HTTP ${page.status}): ${html.slice(0, 200)}`);
      const answer = await submitForm(new URL(action, installUrl), {
        request,
        user: decision.user ?? "user-1",
        org: decision.org ?? organizations.keys().next().value!,
        decision: decision.approve === false ? "deny" : "approve",
      });
      if (!answer.location) throw new Error(`Sentry install decision did not redirect (HTTP ${answer.status}): ${answer.text.slice(0, 200)}`);
      return answer.location;
    },
    async installFromDirectory(decision: Omit<SentryConsentDecision, "approve"> = {}) {
      const org = organizations.get(decision.org ?? organizations.keys().next().value!);
      if (!org) throw new Error(`installFromDirectory: organization "${decision.org}" is not configured`);
      // sentryAppDetailedView.tsx renders "Uninstall" instead of "Accept & Install" for an installed app.
      if (ledger.liveInstallationOf(org.slug)) throw new Error(`Integration ${slug} already installed for ${org.name ?? org.slug}`);
      return install(org, decision.user ?? "user-1", null).headers!.location!;
    },
    createInternalIntegrationToken(orgSlug: string, tokenOptions: { scopes?: string[] } = {}) {
      if (!organizations.has(orgSlug)) throw new Error(`createInternalIntegrationToken: organization "${orgSlug}" is not configured`);
      const token = hex(32);
      ledger.addOrgToken(token, { kind: "org_token", orgSlug, scopes: tokenOptions.scopes ?? scopes });
      return token;
    },
    createOrgAuthToken(orgSlug: string) {
      if (!organizations.has(orgSlug)) throw new Error(`createOrgAuthToken: organization "${orgSlug}" is not configured`);
      // `sntrys_` + base64 of the token's claims + `_` + secret ("Create an Org Auth Token"; org_auth_token.py).
      const claims = Buffer.from(JSON.stringify({ iat: Math.floor(clock.now() / 1000), url: baseUrl, region_url: baseUrl, org: orgSlug })).toString("base64");
      const token = `sntrys_${claims.replace(/=+$/, "")}_${randomBytes(32).toString("base64url")}`;
      ledger.addOrgToken(token, { kind: "org_auth_token", orgSlug, scopes: ["org:ci"] });
      return token;
    },
    revokeOrgToken(token: string) {
      ledger.revokeOrgToken(token);
    },
    async sendInstallationWebhook(targetUrl: string, input: SentryWebhookInput) {
      const installation = ledger.installation(input.installationId);
      if (!installation) throw new Error(`sendInstallationWebhook: unknown installation ${input.installationId}`);
      const body = JSON.stringify({
        action: input.action,
        installation: { uuid: installation.uuid },
        data: {
          installation: {
            uuid: installation.uuid,
            status: installation.status,
            organization: { slug: installation.orgSlug },
            app: { uuid: appUuid, slug },
            ...(input.action === "created" ? { code: installation.code } : {}),
          },
        },
        actor: input.actor ?? { id: ledger.userId(installation.user), name: installation.user, type: "user" },
      });
      const signature = createHmac("sha256", input.signWith ?? clientSecret).update(body).digest("hex");
      stats.webhooksSent += 1;
      const timeoutMs = options.webhookTimeoutMs ?? 1000;
      const response = await fetch(targetUrl, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Request-ID": input.requestId ?? randomUUID(),
          "Sentry-Hook-Resource": "installation",
          "Sentry-Hook-Timestamp": String(input.timestamp ?? Math.floor(clock.now() / 1000)),
          "Sentry-Hook-Signature": signature,
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      }).catch((error: unknown) => {
        if (error instanceof Error && error.name === "TimeoutError") throw new Error(`Sentry webhook delivery timed out after ${timeoutMs} ms (Sentry counts it as failed)`);
        throw error;
      });
      await response.arrayBuffer();
      return response.status;
    },
    uninstall(installationId: string) {
      if (!ledger.uninstall(installationId)) throw new Error(`uninstall: unknown installation ${installationId}`);
    },
    getInstallation(installationId: string): SentryInstallationSnapshot | undefined {
      const found = ledger.installation(installationId);
      return found && { uuid: found.uuid, orgSlug: found.orgSlug, user: found.user, status: found.status, deleted: found.deleted };
    },
  });
}
