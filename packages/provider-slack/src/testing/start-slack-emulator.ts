// An in-process emulator of Slack OAuth v2 with token rotation and the Web API methods the SDK calls (auth.test,
// auth.revoke, chat.postMessage), following the wire facts (providers/slack.md): Slack's wire shapes, HTTP 200
// `{ ok:false, error }` errors, 429 + Retry-After. It maps HTTP to SlackTokenLedger and keeps no rotation rules itself.
import { createHash, randomBytes } from "node:crypto";
import {
  submitForm,
  EMULATOR_REDIRECT_URI,
  ManualClock,
  type Clock,
  basicCredentials,
  bearerToken,
  startEmulatorServer,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
  type EmulatorServer,
  type Fault,
} from "@sdk/oauth/testing";
import { readConsentPage, readErrorPage, renderConsentPage, renderErrorPage, type SlackChannel } from "./slack-consent-page.js";
import { SlackEventSender, type SlackEventDelivery, type SlackEventRequest } from "./slack-event-sender.js";
import { SlackTokenLedger, type IssuedToken, type SlackAccessToken, type SlackEnterprise, type SlackInstall, type SlackInstallTarget, type SlackWorkspace } from "./slack-token-ledger.js";

export interface SlackEmulatorOptions<C extends Clock = ManualClock> {
  /** Slack client ids look like `1234567890.1234567890`. @default "1111111111.2222222222" */
  clientId?: string;
  /** @default "slack-emulator-client-secret" */
  clientSecret?: string;
  /** @default "A0EMULATOR1" */
  appId?: string;
  /** Shown on the consent page and as the bot's name in auth.test. @default "Emulated App" */
  appName?: string;
  /**
   * The app's configured Redirect URLs. An authorize `redirect_uri` must equal one or sit in a subdirectory of one
   * (same origin, path below it); without `redirect_uri` the first one is used.
   * Slack calls them Redirect URLs; the option has the name every emulator's has.
   * @default [EMULATOR_REDIRECT_URI] ("http://localhost:3000/callback")
   * @see https://docs.slack.dev/authentication/installing-with-oauth
   */
  redirectUris?: string[];
  /**
   * Token rotation (`settings.token_rotation_enabled`): `xoxe.` tokens that expire, plus refresh tokens. Off gives
   * long-lived `xoxb-`/`xoxp-` tokens without `refresh_token` or `expires_in`.
   * @default true
   * @see https://docs.slack.dev/authentication/using-token-rotation
   */
  tokenRotation?: boolean;
  /** Slack documents 12 h "always"; change it only to test unusual lifetimes. @default 43200 */
  accessTokenTtlSeconds?: number;
  /**
   * How long a rotated-out refresh token keeps working. Slack says "a short grace period" without a number (UNSURE).
   * The default 0 is the strictest reading: code that never relies on the grace works whatever the real period is.
   * @default 0
   */
  refreshGraceMs?: number;
  /** Live access tokens per chain; issuing one more revokes the oldest. @default 2 */
  maxLiveAccessTokens?: number;
  /** @default 600_000 (10 min) */
  codeTtlMs?: number;
  /** Workspaces offered on the consent page; every distinct `enterprise` among them is offered as an org install. */
  workspaces?: SlackWorkspace[];
  /** Channels chat.postMessage and the incoming-webhook picker know, in every workspace. */
  channels?: SlackChannel[];
  /** Scopes `invalid_scope` does not fire for. @default a list of common bot and user scopes */
  knownScopes?: string[];
  /**
   * `team` in an org install's oauth.v2.access response. Slack's org-app reference shows `null`; flagged UNSURE in
   * the wire facts, so `"enterprise"` (the org as `{ id, name }`) is available to test tolerant parsing.
   * @default "null"
   */
  orgInstallTeam?: "null" | "enterprise";
  /** Pre-filled user id on the consent page and the default of `consent()`. @default "U0INSTALLER" */
  defaultUser?: string;
  /** The app's Signing Secret, which signs Events API requests. @default 32 random bytes, hex */
  signingSecret?: string;
  /** The app's Request URL (Event Subscriptions); settable later as `emulator.events.url`. @default none */
  eventsUrl?: string;
  /** Where the emulator reads time. @default a new ManualClock */
  clock?: C;
}

export interface SlackEmulatorEndpoints {
  /** `GET /oauth/v2/authorize` */
  authorizeUrl: string;
  /** `POST /api/oauth.v2.access` */
  tokenUrl: string;
  /** `POST /api/auth.revoke` */
  revokeUrl: string;
  /** Web API base: `${apiBaseUrl}/auth.test`, `${apiBaseUrl}/chat.postMessage`. */
  apiBaseUrl: string;
}

export interface SlackEmulatorStats {
  /** oauth.v2.access calls that reached the emulator's logic (faulted calls are only in `counters`). */
  tokenCalls: number;
  codeExchanges: number;
  refreshes: number;
  /** Successful refreshes per chain id (`bot:{team}` or `user:{team}:{user}`). */
  refreshesByChain: Record<string, number>;
  /** Refreshes that presented a rotated-out refresh token, inside the grace period or not. */
  reuseDetected: number;
  /** auth.revoke calls that revoked something (`test` mode does not count). */
  revocations: number;
  /** Access tokens revoked because their chain went over `maxLiveAccessTokens`. */
  evictions: number;
  /** Web API calls (auth.test, auth.revoke, chat.postMessage) that reached the emulator's logic. */
  apiCalls: number;
}

export interface SlackChainSnapshot {
  id: string;
  kind: "bot" | "user";
  /** Workspace id, or null for an org install. */
  teamId: string | null;
  enterpriseId: string | null;
  isEnterpriseInstall: boolean;
  /** The bot user id for a bot chain. */
  userId: string;
  scopes: string[];
  /** Access tokens that are neither expired nor revoked, oldest first. */
  liveAccessTokens: string[];
  refreshToken: string | undefined;
  refreshes: number;
  revoked: boolean;
}

export interface SlackPostedMessage {
  channel: string;
  text: string;
  ts: string;
  chainId: string;
}

export interface SlackConsentDecision {
  /** @default options.defaultUser */
  user?: string;
  /** Workspace id (`T…`) or enterprise id (`E…`, org install). @default the page's pre-selected option */
  team?: string;
  /** Incoming-webhook channel id. @default the first channel offered */
  channel?: string;
  /** @default true */
  approve?: boolean;
}

export interface SlackEmulator<C extends Clock = ManualClock> extends EmulatorServer<C> {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly appId: string;
  /** The app's Redirect URLs as configured (`options.redirectUris`); the first one is the default. */
  readonly redirectUris: readonly string[];
  readonly endpoints: SlackEmulatorEndpoints;
  readonly stats: SlackEmulatorStats;
  /** Every chat.postMessage that succeeded. */
  readonly messages: SlackPostedMessage[];
  /**
   * Drives the consent page over HTTP like a browser: loads `authorizeUrl`, submits the decision and returns the
   * redirect target (`code` and `state`, or `error=access_denied`). Throws with the Slack error code when Slack
   * would show an error page instead.
   */
  consent(authorizeUrl: string, decision?: SlackConsentDecision): Promise<string>;
  /**
   * An install the app did not start: an Enterprise Grid org admin installing org-wide (`team: "E…"`), or an install
   * from the Slack App Directory without a Direct Install URL. Slack's own install link carries the app's scopes but
   * neither `state` nor `redirect_uri`, so the approval redirects to the first Redirect URL with a `code` and **no
   * `state`** (providers/slack.md; bolt-js issues #1101 and #1355, node-slack-sdk PR #1338 `directInstall`,
   * `stateVerification: false`). Resolves to that redirect URL.
   */
  installFromSlack(install: { scopes: string[]; userScopes?: string[] } & SlackConsentDecision): Promise<string>;
  /** Every token chain ever started, revoked ones included. */
  chains(): SlackChainSnapshot[];
  /** The chain that issued an access or refresh token. */
  chain(token: string): SlackChainSnapshot | undefined;
  /** Makes an access token expire now (auth.test then answers `token_expired`). */
  expireToken(token: string): boolean;
  /** Uninstalls the app from a workspace or org (`T…` / `E…`): all its tokens answer `token_revoked`, refreshes fail. */
  revokeInstall(installId: string): boolean;
  /** The app's Signing Secret. */
  readonly signingSecret: string;
  /** Builds, signs and sends Events API requests; `events.url` is the Request URL. */
  readonly events: SlackEventSender;
  /** A signed `event_callback` request about an install (`T…` / `E…`), as Slack would POST it. */
  eventRequest(installId: string, event: Record<string, unknown>, options?: { timestampSeconds?: number }): SlackEventRequest;
  /** The signed `url_verification` request Slack sends when the Request URL is saved; the app must echo `challenge`. */
  urlVerificationRequest(challenge?: string): SlackEventRequest & { challenge: string };
  /**
   * The app is uninstalled from a workspace or org (as `revokeInstall`), and Slack tells the Request URL:
   * `tokens_revoked` (every user with a live token, and the bot) and `app_uninstalled`, in that order (Slack does not
   * guarantee one). Resolves to what the Request URL answered to each.
   */
  uninstallApp(installId: string): Promise<SlackEventDelivery[]>;
  /** One user takes back their authorization: their user token dies and `tokens_revoked` lists them. */
  revokeUserToken(installId: string, userId: string): Promise<SlackEventDelivery>;
}

const DEFAULT_WORKSPACES: SlackWorkspace[] = [
  { id: "T0ACME0001", name: "Acme", domain: "acme" },
  { id: "T0GRID0001", name: "Grid Sales", domain: "grid-sales", enterprise: { id: "E0GRID0001", name: "Grid Org", domain: "grid-org" } },
];

const DEFAULT_CHANNELS: SlackChannel[] = [
  { id: "C0GENERAL1", name: "general" },
  { id: "C0RANDOM01", name: "random" },
];

const DEFAULT_SCOPES = [
  "app_mentions:read", "channels:history", "channels:join", "channels:read", "chat:write", "chat:write.customize",
  "chat:write.public", "commands", "emoji:read", "files:read", "files:write", "groups:history", "groups:read",
  "im:history", "im:read", "im:write", "incoming-webhook", "links:read", "links:write", "mpim:read", "reactions:read",
  "reactions:write", "search:read", "team:read", "users.profile:read", "users:read", "users:read.email", "users:write",
];

const DECISION_PATH = "/oauth/v2/authorize/decision";

interface PendingAuthorization {
  redirectUri: string;
  state: string | null;
  botScopes: string[];
  userScopes: string[];
  challenge: string | undefined;
}

interface PendingCode extends PendingAuthorization {
  target: SlackInstallTarget;
  userId: string;
  channel: SlackChannel | undefined;
  expiresAt: number;
}

const slackError = (error: string, extra: Record<string, unknown> = {}): EmulatorResponse => ({ status: 200, body: { ok: false, error, ...extra } });
const ok = (body: Record<string, unknown>): EmulatorResponse => ({ status: 200, body: { ok: true, ...body } });
const random = (bytes: number) => randomBytes(bytes).toString("hex");

/** Slack scope lists are comma-separated; a space-separated list stays one (invalid) scope, as on Slack. */
const splitScopes = (value: string | null | undefined) => (value ?? "").split(",").map((scope) => scope.trim()).filter(Boolean);

/** Form and JSON bodies as string fields (JSON values stringified, as Slack coerces them). */
function fieldsOf(request: EmulatorRequest): Record<string, string> {
  if (!request.body || typeof request.body !== "object") return {};
  return Object.fromEntries(Object.entries(request.body as Record<string, unknown>).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

function redirectAllowed(candidate: string, configured: string[]): boolean {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  return configured.some((entry) => {
    const base = new URL(entry);
    if (url.origin !== base.origin) return false;
    const basePath = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
    return url.pathname === base.pathname || url.pathname.startsWith(basePath);
  });
}

export async function startSlackEmulator<C extends Clock = ManualClock>(options: SlackEmulatorOptions<C> = {}): Promise<SlackEmulator<C>> {
  const redirectUris = options.redirectUris ?? [EMULATOR_REDIRECT_URI];
  if (redirectUris.length === 0) throw new Error("startSlackEmulator needs at least one redirect URL");
  const clientId = options.clientId ?? "1111111111.2222222222";
  // Random per start: a fixed default secret would be a known credential copied into configs and tests.
  const clientSecret = options.clientSecret ?? `slack-emulator-client-secret-${random(16)}`;
  const appId = options.appId ?? "A0EMULATOR1";
  const appName = options.appName ?? "Emulated App";
  const defaultUser = options.defaultUser ?? "U0INSTALLER";
  // Without a clock, C is its default (ManualClock).
  const clock = options.clock ?? (new ManualClock() as unknown as C);
  const tokenRotation = options.tokenRotation ?? true;
  const workspaces = options.workspaces ?? DEFAULT_WORKSPACES;
  const enterprises = [...new Map(workspaces.flatMap((workspace) => (workspace.enterprise ? [[workspace.enterprise.id, workspace.enterprise] as const] : []))).values()];
  const channels = options.channels ?? DEFAULT_CHANNELS;
  const knownScopes = new Set(options.knownScopes ?? DEFAULT_SCOPES);
  const ledger = new SlackTokenLedger({
    clock,
    tokenRotation,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 43_200,
    refreshGraceMs: options.refreshGraceMs ?? 0,
    maxLiveAccessTokens: options.maxLiveAccessTokens ?? 2,
  });
  const pendingAuthorizations = new Map<string, PendingAuthorization>();
  const codes = new Map<string, PendingCode>();
  const webhooks = new Set<string>();
  const messages: SlackPostedMessage[] = [];
  const stats: SlackEmulatorStats = { tokenCalls: 0, codeExchanges: 0, refreshes: 0, refreshesByChain: {}, reuseDetected: 0, revocations: 0, evictions: 0, apiCalls: 0 };
  let messageSequence = 0;
  let baseUrl = "";

  const targetOf = (id: string | undefined): SlackInstallTarget | undefined => {
    const workspace = workspaces.find((candidate) => candidate.id === id);
    if (workspace) return { kind: "workspace", workspace };
    const enterprise = enterprises.find((candidate) => candidate.id === id);
    return enterprise ? { kind: "enterprise", enterprise } : undefined;
  };

  const teamField = (install: SlackInstall) => {
    if (install.team) return { id: install.team.id, name: install.team.name };
    return options.orgInstallTeam === "enterprise" && install.enterprise ? { id: install.enterprise.id, name: install.enterprise.name } : null;
  };

  const installFields = (install: SlackInstall) => ({
    team: teamField(install),
    enterprise: install.enterprise ? { id: install.enterprise.id, name: install.enterprise.name } : null,
    is_enterprise_install: install.isEnterpriseInstall,
  });

  const tokenFields = (issued: IssuedToken) => ({
    access_token: issued.accessToken,
    ...(issued.expiresIn === undefined ? {} : { expires_in: issued.expiresIn }),
    ...(issued.refreshToken === undefined ? {} : { refresh_token: issued.refreshToken }),
  });

  const incomingWebhook = (install: SlackInstall, channel: SlackChannel) => {
    const teamId = install.team?.id ?? install.id;
    const path = `/services/${teamId}/B0${random(4).toUpperCase()}/${random(12)}`;
    webhooks.add(path);
    const domain = install.team?.domain ?? install.enterprise?.domain ?? "slack";
    return { channel: `#${channel.name}`, channel_id: channel.id, configuration_url: `https://${domain}.slack.com/services/${install.botId}`, url: `${baseUrl}${path}` };
  };

  const exchangeCode = (fields: Record<string, string>): EmulatorResponse => {
    const pending = codes.get(fields.code ?? "");
    if (!pending) return slackError("invalid_code");
    if (pending.expiresAt <= clock.now()) {
      codes.delete(fields.code!);
      return slackError("invalid_code");
    }
    // redirect_uri is optional here, but when sent it must be the authorize one.
    if (fields.redirect_uri !== undefined && fields.redirect_uri !== pending.redirectUri) return slackError("bad_redirect_uri");
    if (pending.challenge !== undefined) {
      // Slack documents code_verifier without an error name for a mismatch; the name below is inferred.
      const computed = createHash("sha256").update(fields.code_verifier ?? "").digest("base64url");
      if (computed !== pending.challenge) return slackError("invalid_code_verifier");
    }
    codes.delete(fields.code!);
    const { install, bot, user } = ledger.grant(pending.target, pending.userId, pending.botScopes, pending.userScopes);
    stats.codeExchanges += 1;
    stats.evictions = ledger.evictions;
    const authedUser = user ? { id: pending.userId, scope: user.scopes.join(","), ...tokenFields(user), token_type: "user" } : { id: pending.userId };
    return ok({
      app_id: appId,
      authed_user: authedUser,
      ...(bot ? { scope: bot.scopes.join(","), token_type: "bot", ...tokenFields(bot), bot_user_id: install.botUserId } : {}),
      ...installFields(install),
      ...(pending.channel ? { incoming_webhook: incomingWebhook(install, pending.channel) } : {}),
    });
  };

  const refresh = (fields: Record<string, string>): EmulatorResponse => {
    // Without rotation Slack issues no refresh tokens, so any presented one is unknown.
    if (!tokenRotation) return slackError("invalid_refresh_token");
    const outcome = ledger.refresh(fields.refresh_token ?? "");
    if (outcome.reused) stats.reuseDetected += 1;
    if (!outcome.ok) return slackError("invalid_refresh_token");
    const { issued } = outcome;
    const { chain } = issued;
    stats.refreshes += 1;
    stats.refreshesByChain[chain.id] = (stats.refreshesByChain[chain.id] ?? 0) + 1;
    stats.evictions = ledger.evictions;
    const bot = chain.kind === "bot";
    return ok({
      app_id: appId,
      authed_user: { id: bot ? chain.install.installerUserId : chain.userId },
      scope: issued.scopes.join(","),
      token_type: bot ? "bot" : "user",
      ...tokenFields(issued),
      ...(bot ? { bot_user_id: chain.install.botUserId } : {}),
      ...installFields(chain.install),
    });
  };

  /** Resolves the calling token of a Web API method, or the Slack error for it. */
  const authenticate = (request: EmulatorRequest) => {
    // Slack takes the token from the Authorization header, or as a POST parameter of a form body.
    const presented = bearerToken(request.headers) ?? (request.bodyFormat === "form" ? fieldsOf(request).token : undefined);
    if (!presented) return { error: slackError("not_authed") };
    const found = ledger.lookup(presented);
    if (found.status === "unknown") return { error: slackError("invalid_auth") };
    if (found.status === "expired") return { error: slackError("token_expired") };
    if (found.status === "revoked") return { error: slackError("token_revoked") };
    return { token: found.token };
  };

  /** A Web API method: `POST /api/{method}`, counted in `apiCalls`, answered only for a live token. */
  const webApiMethod = (method: string, answer: (token: SlackAccessToken, request: EmulatorRequest) => EmulatorResponse): EmulatorRoute => ({
    name: method,
    method: "POST",
    path: `/api/${method}`,
    handler: (request) => {
      stats.apiCalls += 1;
      const caller = authenticate(request);
      return caller.token ? answer(caller.token, request) : caller.error;
    },
  });

  const server = await startEmulatorServer({
    clock,
    routes: [
      {
        name: "authorize",
        method: "GET",
        path: "/oauth/v2/authorize",
        handler: ({ query }) => {
          if (query.get("client_id") !== clientId) return { status: 400, html: renderErrorPage("invalid_client_id", "client_id is not this app's") };
          const sent = query.get("redirect_uri");
          if (sent !== null && !redirectAllowed(sent, redirectUris)) {
            return { status: 400, html: renderErrorPage("bad_redirect_uri", "redirect_uri is not one of the app's Redirect URLs or below one") };
          }
          const botScopes = splitScopes(query.get("scope"));
          const userScopes = splitScopes(query.get("user_scope"));
          if (botScopes.length === 0 && userScopes.length === 0) return { status: 400, html: renderErrorPage("invalid_scope", "no scope or user_scope was requested") };
          const unknown = [...botScopes, ...userScopes].filter((scope) => !knownScopes.has(scope));
          if (unknown.length > 0) return { status: 400, html: renderErrorPage("invalid_scope", `unknown scopes: ${unknown.join(", ")}`) };
          const challenge = query.get("code_challenge") ?? undefined;
          if (challenge !== undefined && (query.get("code_challenge_method") ?? "S256") !== "S256") {
            return { status: 400, html: renderErrorPage("invalid_code_challenge_method", "only S256 is supported") };
          }
          const request = random(12);
          pendingAuthorizations.set(request, { redirectUri: sent ?? redirectUris[0]!, state: query.get("state"), botScopes, userScopes, challenge });
          const team = query.get("team") ?? undefined;
          return {
            status: 200,
            html: renderConsentPage({
              appName,
              request,
              decisionPath: DECISION_PATH,
              workspaces,
              enterprises,
              selected: targetOf(team) ? team : undefined,
              defaultUser,
              botScopes,
              userScopes,
              webhookChannels: botScopes.includes("incoming-webhook") ? channels : undefined,
            }),
          };
        },
      },
      {
        name: "authorize.decision",
        method: "POST",
        path: DECISION_PATH,
        handler: (request) => {
          const form = fieldsOf(request);
          const pending = pendingAuthorizations.get(form.request ?? "");
          if (!pending) return { status: 400, html: renderErrorPage("invalid_request", "unknown or already used authorization request") };
          const back = new URL(pending.redirectUri);
          if (form.decision === "approve") {
            const target = targetOf(form.team);
            if (!target) return { status: 400, html: renderErrorPage("invalid_team", "pick a workspace or organization this user belongs to") };
            const channel = pending.botScopes.includes("incoming-webhook") ? channels.find((candidate) => candidate.id === form.channel) ?? channels[0] : undefined;
            const code = `${clock.now()}.${random(20)}`;
            codes.set(code, { ...pending, target, userId: form.user || defaultUser, channel, expiresAt: clock.now() + (options.codeTtlMs ?? 600_000) });
            back.searchParams.set("code", code);
          } else {
            back.searchParams.set("error", "access_denied");
          }
          pendingAuthorizations.delete(form.request!);
          if (pending.state !== null) back.searchParams.set("state", pending.state);
          return { status: 302, headers: { location: back.toString() } };
        },
      },
      {
        name: "oauth.v2.access",
        method: "POST",
        path: "/api/oauth.v2.access",
        handler: (request) => {
          stats.tokenCalls += 1;
          const fields = fieldsOf(request);
          // Slack prefers HTTP Basic for the client credentials and also takes them as body parameters.
          const client = basicCredentials(request.headers) ?? { id: fields.client_id, secret: fields.client_secret };
          if (client.id !== clientId) return slackError("invalid_client_id");
          if (client.secret !== clientSecret) return slackError("bad_client_secret");
          const grantType = fields.grant_type ?? "authorization_code";
          if (grantType === "authorization_code") return exchangeCode(fields);
          if (grantType === "refresh_token") return refresh(fields);
          return slackError("invalid_grant_type");
        },
      },
      webApiMethod("auth.test", ({ chain }) => {
        const { install } = chain;
        const bot = chain.kind === "bot";
        // An org token answers for the org: Slack's docs show no example, so team/url name the enterprise.
        const home = install.team ?? install.enterprise!;
        const host = install.team ? `${install.team.domain}.slack.com` : `${install.enterprise!.domain}.enterprise.slack.com`;
        return ok({
          url: `https://${host}/`,
          team: home.name,
          user: bot ? appName.toLowerCase().replace(/\s+/g, "_") : chain.userId.toLowerCase(),
          team_id: home.id,
          user_id: chain.userId,
          ...(bot ? { bot_id: install.botId } : {}),
          ...(install.enterprise ? { enterprise_id: install.enterprise.id } : {}),
          is_enterprise_install: install.isEnterpriseInstall,
        });
      }),
      webApiMethod("auth.revoke", (token, request) => {
        const test = request.query.get("test") ?? fieldsOf(request).test;
        if (test === "1" || test === "true") return ok({ revoked: false });
        ledger.revoke(token);
        stats.revocations += 1;
        return ok({ revoked: true });
      }),
      webApiMethod("chat.postMessage", ({ chain }, request) => {
        const scopes = ledger.scopesOf(chain);
        if (!scopes.includes("chat:write")) return slackError("missing_scope", { needed: "chat:write", provided: scopes.join(",") });
        const fields = fieldsOf(request);
        const wanted = (fields.channel ?? "").replace(/^#/, "");
        const channel = channels.find((candidate) => candidate.id === wanted || candidate.name === wanted);
        if (!channel) return slackError("channel_not_found");
        if (!fields.text && !fields.blocks && !fields.attachments) return slackError("no_text");
        messageSequence += 1;
        const ts = `${Math.floor(clock.now() / 1000)}.${String(messageSequence).padStart(6, "0")}`;
        const text = fields.text ?? "";
        messages.push({ channel: channel.id, text, ts, chainId: chain.id });
        const bot = chain.kind === "bot";
        return ok({
          channel: channel.id,
          ts,
          message: { type: "message", text, user: chain.userId, ts, ...(bot ? { bot_id: chain.install.botId, app_id: appId } : {}) },
        });
      }),
      {
        name: "incoming-webhook",
        method: "POST",
        path: /^\/services\/[^/]+\/[^/]+\/[^/]+$/,
        handler: ({ path }) => (webhooks.has(path) ? { status: 200, text: "ok" } : { status: 404, text: "no_service" }),
      },
      // A Web API method the emulator does not serve answers as Slack answers a method that does not exist: HTTP 200
      // `{ ok: false, error: "unknown_method", req_method }` (https://docs.slack.dev/reference/methods, "unknown_method";
      // @slack/web-api surfaces it as a platform error), never a 404 an API client would read as a transport failure.
      ...(["GET", "POST"] as const).map((method) => ({
        name: "unknown-method",
        method,
        path: /^\/api\/(?<method>[A-Za-z0-9_.]+)$/,
        handler: ({ params }: { params: Record<string, string> }) => slackError("unknown_method", { req_method: params.method ?? "" }),
      })),
    ],
  });
  baseUrl = server.url;

  const signingSecret = options.signingSecret ?? random(32);
  const events = new SlackEventSender({ signingSecret, appId, clock, url: options.eventsUrl });
  const installNamed = (installId: string) => {
    const install = ledger.installOf(installId);
    if (!install) throw new Error(`the Slack emulator has no install ${installId}`);
    return install;
  };
  const eventRequest = (installId: string, event: Record<string, unknown>, timestampSeconds?: number) =>
    events.sign(events.envelope(installNamed(installId), event), timestampSeconds);

  const baseFault = server.fault;
  const snapshot = (chain: ReturnType<SlackTokenLedger["chains"]>[number]): SlackChainSnapshot => ({
    id: chain.id,
    kind: chain.kind,
    teamId: chain.install.team?.id ?? null,
    enterpriseId: chain.install.enterprise?.id ?? null,
    isEnterpriseInstall: chain.install.isEnterpriseInstall,
    userId: chain.userId,
    scopes: ledger.scopesOf(chain),
    liveAccessTokens: ledger.liveAccessTokens(chain),
    refreshToken: chain.revoked ? undefined : chain.refreshToken,
    refreshes: chain.refreshes,
    revoked: chain.revoked,
  });

  return Object.assign(server, {
    clientId,
    clientSecret,
    appId,
    redirectUris: [...redirectUris],
    endpoints: {
      authorizeUrl: `${server.url}/oauth/v2/authorize`,
      tokenUrl: `${server.url}/api/oauth.v2.access`,
      revokeUrl: `${server.url}/api/auth.revoke`,
      apiBaseUrl: `${server.url}/api`,
    },
    stats,
    messages,
    // Slack's 429 body is `{ ok:false, error:"ratelimited" }`, not the scaffolding's generic one.
    fault(route: string, fault: Fault, times?: number) {
      const slackShaped: Fault = fault.kind === "rate_limit" && fault.body === undefined ? { ...fault, body: { ok: false, error: "ratelimited" } } : fault;
      baseFault(route, slackShaped, times);
    },
    async consent(authorizeUrl: string, decision: SlackConsentDecision = {}) {
      const page = await fetch(authorizeUrl, { redirect: "manual" });
      const html = await page.text();
      const form = readConsentPage(html);
      if (!form) throw new Error(`Slack authorize shows an error page: ${readErrorPage(html) ?? `HTTP ${page.status}`}`);
      const fields: Record<string, string> = {
        request: form.request,
        user: decision.user ?? defaultUser,
        team: decision.team ?? form.selectedTeam ?? "",
        decision: decision.approve === false ? "deny" : "approve",
      };
      const channel = decision.channel ?? form.firstChannel;
      if (channel) fields.channel = channel;
      const answer = await submitForm(`${server.url}${DECISION_PATH}`, fields);
      if (!answer.location) throw new Error(`Slack consent did not redirect: ${readErrorPage(answer.text) ?? `HTTP ${answer.status}`}`);
      return answer.location;
    },
    installFromSlack(install: { scopes: string[]; userScopes?: string[] } & SlackConsentDecision) {
      const { scopes, userScopes = [], ...decision } = install;
      const url = new URL(`${server.url}/oauth/v2/authorize`);
      url.searchParams.set("client_id", clientId);
      if (scopes.length > 0) url.searchParams.set("scope", scopes.join(","));
      if (userScopes.length > 0) url.searchParams.set("user_scope", userScopes.join(","));
      return this.consent(url.toString(), decision);
    },
    chains: () => ledger.chains().map(snapshot),
    chain(token: string) {
      const chain = ledger.chainOf(token);
      return chain ? snapshot(chain) : undefined;
    },
    expireToken: (token: string) => ledger.expire(token),
    revokeInstall: (installId: string) => ledger.removeInstall(installId),
    signingSecret,
    events,
    eventRequest: (installId: string, event: Record<string, unknown>, eventOptions: { timestampSeconds?: number } = {}) => eventRequest(installId, event, eventOptions.timestampSeconds),
    urlVerificationRequest(challenge = random(24)) {
      // https://api.slack.com/events/url_verification: { token, challenge, type }, signed like every request.
      return { ...events.sign({ token: "emulated-verification-token", challenge, type: "url_verification" }), challenge };
    },
    async uninstallApp(installId: string) {
      const install = installNamed(installId);
      const live = ledger.chains().filter((chain) => chain.install === install && !chain.revoked);
      const users = live.filter((chain) => chain.kind === "user").map((chain) => chain.userId);
      const bots = live.filter((chain) => chain.kind === "bot").map((chain) => chain.userId);
      // Built before the install goes: the envelope names it. https://api.slack.com/events/app_uninstalled: "You should
      // also receive tokens_revoked events ... the order ... not guaranteed"; https://api.slack.com/events/tokens_revoked.
      const revoked = eventRequest(installId, { type: "tokens_revoked", tokens: { oauth: users, bot: bots } });
      const uninstalled = eventRequest(installId, { type: "app_uninstalled" });
      ledger.removeInstall(installId);
      return [await events.send(revoked), await events.send(uninstalled)];
    },
    async revokeUserToken(installId: string, userId: string) {
      const request = eventRequest(installId, { type: "tokens_revoked", tokens: { oauth: [userId], bot: [] } });
      if (!ledger.revokeUser(installId, userId)) throw new Error(`the Slack emulator has no live user token of ${userId} in ${installId}`);
      return events.send(request);
    },
  });
}

export type { SlackChannel } from "./slack-consent-page.js";
export type { SlackEventDelivery, SlackEventRequest, SlackEventSender } from "./slack-event-sender.js";
export type { SlackEnterprise, SlackWorkspace } from "./slack-token-ledger.js";
