// The public options of `slack()` and their validation. Endpoint facts live here (slack.com, GovSlack via
// `endpoints`); everything about HTTP, retries and the refresh protocol is the engine's and only passed through.
import { lazySchema, parseOptions, secretSchema, urlSchema } from "@sdk/core/provider-kit";
import { oauthTuningSchema, type ClientAuthMethod, type OAuthTuning } from "@sdk/oauth";
import type { z } from "zod";

/** Where the provider talks to Slack. */
export interface SlackEndpoints {
  /** @default "https://slack.com/oauth/v2/authorize" */
  authorizeUrl: string;
  /** oauth.v2.access. @default "https://slack.com/api/oauth.v2.access" */
  tokenUrl: string;
  /** auth.revoke. @default "https://slack.com/api/auth.revoke" */
  revokeUrl: string;
  /** Web API base that `sdk.fetch(id, "/chat.postMessage")` resolves against. @default "https://slack.com/api" */
  apiBaseUrl: string;
}

/** slack.com. GovSlack uses the same paths on `slack-gov.com`: pass them as `endpoints`. */
export const SLACK_ENDPOINTS: Readonly<SlackEndpoints> = Object.freeze({
  authorizeUrl: "https://slack.com/oauth/v2/authorize",
  tokenUrl: "https://slack.com/api/oauth.v2.access",
  revokeUrl: "https://slack.com/api/auth.revoke",
  apiBaseUrl: "https://slack.com/api",
});

/** Options of `slack(options)`. */
export interface SlackProviderOptions extends OAuthTuning {
  /** The Slack app's Client ID (Basic Information -> App Credentials). */
  clientId: string;
  /** The Slack app's Client Secret. Never appears in an error, event or log line. */
  clientSecret: string;
  /**
   * Must equal one of the app's Redirect URLs or sit below one; it is sent to authorize and to oauth.v2.access.
   * @see https://docs.slack.dev/authentication/installing-with-oauth
   */
  redirectUri: string;
  /** Bot scopes, sent comma-separated as `scope`. May be empty for user-token-only installs. */
  scopes: string[];
  /** User scopes, sent comma-separated as `user_scope`. @default [] */
  userScopes?: string[];
  /** Endpoint overrides (GovSlack, the testing kit's emulator). @default SLACK_ENDPOINTS */
  endpoints?: Partial<SlackEndpoints>;
  /**
   * PKCE S256 on the install. Slack verifies PKCE only for apps whose "PKCE" setting is on, a one-way switch that
   * makes the app a public client and expires its refresh tokens after 30 days
   * (https://docs.slack.dev/authentication/using-pkce), so it is off; turn it on for such an app. The signed,
   * single-use, browser-bound `state` and the client secret protect the install either way.
   * @default false
   */
  pkce?: boolean;
  /** Slack prefers HTTP Basic and also takes body parameters. @default "client_secret_basic" */
  clientAuth?: ClientAuthMethod;
  /**
   * Refresh this long before a 12 h token expires; the cached token's TTL is its lifetime minus this.
   * @default 7200 (slack_sdk's TokenRotator refreshes 120 minutes early)
   */
  skewSeconds?: number;
  /** Fills `account_id` / `created_by` when `buildInstallUrl` gets only `user_id` (1.x). */
  identityResolver?: (userId: string) => Promise<{ account_id: string; created_by?: string }>;
  /**
   * The app's Signing Secret (Basic Information -> App Credentials): `sdk.handleWebhook({ provider: "slack", ... })`
   * verifies Slack's Events API requests with it. Without it `handleWebhook` is `misconfigured`.
   * @see https://api.slack.com/authentication/verifying-requests-from-slack
   */
  signingSecret?: string;
  /**
   * Installs the service did not start: an Enterprise Grid org admin installing the app org-wide, or an install from
   * the Slack App Directory without a Direct Install URL, arrive at `redirectUri` with a `code` and **no `state`**
   * (bolt-js issues #1101, #1355). `"refuse"`: such a callback is `state_missing`. `"pending"`: the code is exchanged
   * and the grant parked encrypted for at most 10 minutes as a pending install naming the org / workspace
   * (`install_confirmation_required`), which becomes a connection only through `sdk.confirmPendingInstall` for a
   * signed-in user and account.
   * @default "refuse"
   */
  providerStartedInstalls?: "refuse" | "pending";
}

/** Slack scope names: letters, digits, `:` `.` `_` `-` (a comma would split one scope into two on the wire). */
export const slackScopeSchema = lazySchema((z) =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9:._-]+$/, "must be a Slack scope name (letters, digits, ':', '.', '_', '-')"),
);

const endpointsSchema = lazySchema((z) =>
  z.strictObject({
    authorizeUrl: urlSchema().optional(),
    tokenUrl: urlSchema().optional(),
    revokeUrl: urlSchema().optional(),
    apiBaseUrl: urlSchema().optional(),
  }),
);

const fn = lazySchema((z) => z.custom<(...args: never[]) => unknown>((value) => typeof value === "function", "must be a function"));

const optionsSchema = lazySchema((z) =>
  z.strictObject({
    clientId: z.string().min(1).max(256),
    clientSecret: z.string().min(1).max(1024),
    redirectUri: urlSchema(),
    scopes: z.array(slackScopeSchema()).max(100),
    userScopes: z.array(slackScopeSchema()).max(100).optional(),
    endpoints: endpointsSchema().optional(),
    pkce: z.boolean().optional(),
    clientAuth: z.enum(["client_secret_basic", "client_secret_post"]).optional(),
    ...oauthTuningSchema().shape,
    // A Slack token lives 43,200 s: a skew at or above that would refresh on every resolve.
    skewSeconds: z.number().int().min(0).max(43_000).optional(),
    identityResolver: fn().optional(),
    signingSecret: secretSchema().optional(),
    providerStartedInstalls: z.enum(["refuse", "pending"]).optional(),
  }),
);

export interface ResolvedSlackOptions extends SlackProviderOptions {
  userScopes: string[];
  endpoints: SlackEndpoints;
}

/** Validates `slack(options)` when it is called; a bad option is `misconfigured` naming it (`slack.redirectUri`), never its value. */
export function resolveSlackOptions(options: SlackProviderOptions): ResolvedSlackOptions {
  parseOptions(optionsSchema(), options, "slack");
  const overrides = Object.fromEntries(Object.entries(options.endpoints ?? {}).filter(([, value]) => value !== undefined));
  return { ...options, userScopes: options.userScopes ?? [], endpoints: { ...SLACK_ENDPOINTS, ...overrides } };
}
