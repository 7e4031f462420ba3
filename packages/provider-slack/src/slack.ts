// The Slack provider: OAuth v2 facts and quirks on the engine of @sdk/oauth. Bot token = primary chain, user token =
// chain "user", each rotating on its own; `{ ok: false }` errors, install metadata, natural key, runtime, auth.revoke.
// HTTP, retries, state, the refresh protocol and token caching are the engine's and are not re-implemented here.
import type { IntegrationDraft, WebhookInput, WebhookResult } from "@sdk/core";
import type { PreparedConnection, ProviderContext } from "@sdk/core/provider-kit";
import { OAuthStrategy, type OAuthProviderOptions } from "@sdk/oauth";
import { describeSlackPendingInstall } from "./describe-slack-pending-install.js";
import { handleSlackEvents } from "./handle-slack-events.js";
import { mapSlackError } from "./map-slack-error.js";
import { parseSlackAccess, parseSlackTokenResponse } from "./parse-slack-token-response.js";
import { revokeSlackTokens } from "./revoke-slack-tokens.js";
import { parseSlackMetadata, slackInstallMetadata, slackNaturalKey } from "./slack-install-metadata.js";
import { slackInstallRequest } from "./slack-install-input.js";
import { resolveSlackOptions, type SlackProviderOptions } from "./slack-provider-options.js";
import { slackRejectsCredentials } from "./slack-rejects-credentials.js";
import { slackRuntime, type SlackRuntime } from "./slack-runtime.js";
import { moveLegacyUserChain, splitSlackDraft } from "./split-slack-install.js";

/** What `slack()` returns: a provider definition for `createSDK({ providers })`, on the OAuth engine's strategy. */
export class SlackProvider extends OAuthStrategy {
  /** Typed for `createSDK`: the provider id and the runtime `resolveConnection` returns. */
  declare readonly id: "slack";
  declare readonly "~runtime"?: SlackRuntime;
  readonly #signingSecret: string | undefined;

  /** Use `slack(options)`. */
  constructor(engine: OAuthProviderOptions, slackOnly: { signingSecret?: string | undefined } = {}) {
    super(engine);
    this.#signingSecret = slackOnly.signingSecret;
  }

  /**
   * Slack's Events API: verifies the request signature (`slack({ signingSecret })`), answers `url_verification`
   * (`result.response`), and applies `app_uninstalled` and `tokens_revoked`.
   */
  async handleWebhook(context: ProviderContext, input: WebhookInput): Promise<WebhookResult> {
    return handleSlackEvents(context, input, { provider: this.id, signingSecret: this.#signingSecret, invalidate: (ctx, integration) => this.invalidate(ctx, integration) });
  }

  /**
   * A user token is its Slack user's own connection: a bot + user install is stored as the workspace's connection
   * (bot token) plus the user's (`…:user:{U…}`), and a workspace record that still holds a user token (1.x, 2.0.x)
   * hands it to its owner's connection first.
   */
  override async prepareConnection(context: ProviderContext, draft: IntegrationDraft): Promise<PreparedConnection> {
    const split = splitSlackDraft(draft);
    const workspace = split?.workspace ?? draft;
    if (workspace.credentials.refresh_token !== undefined || workspace.credentials.access_token !== undefined) {
      await moveLegacyUserChain(context, workspace, { leaseMs: this.options.lockLeaseMs ?? 45_000, skewMs: (this.options.skewSeconds ?? 60) * 1000 });
    }
    const prepared = await super.prepareConnection(context, workspace);
    return split ? { ...prepared, related: [...(prepared.related ?? []), split.user] } : prepared;
  }
}

/**
 * Slack OAuth v2 with token rotation. Register it with `createSDK({ providers: [slack({ ... })] })`; the provider id
 * is `"slack"`.
 * @see https://docs.slack.dev/authentication/installing-with-oauth
 * @see https://docs.slack.dev/authentication/using-token-rotation
 */
export function slack(options: SlackProviderOptions): SlackProvider {
  const resolved = resolveSlackOptions(options);
  const { endpoints } = resolved;
  const strategy: SlackProvider = new SlackProvider({
    id: "slack",
    clientId: resolved.clientId,
    clientSecret: resolved.clientSecret,
    redirectUri: resolved.redirectUri,
    authorizeUrl: endpoints.authorizeUrl,
    tokenUrl: endpoints.tokenUrl,
    revokeUrl: endpoints.revokeUrl,
    apiBaseUrl: endpoints.apiBaseUrl,
    scopes: resolved.scopes,
    scopeSeparator: ",",
    pkce: resolved.pkce ?? false,
    clientAuth: resolved.clientAuth ?? "client_secret_basic",
    tokenRequestFormat: "form",
    // Slack: rotating access tokens live 43,200 s, always.
    defaultExpiresInSeconds: 43_200,
    skewSeconds: resolved.skewSeconds ?? 7200,
    ...(resolved.timeoutMs !== undefined ? { timeoutMs: resolved.timeoutMs } : {}),
    ...(resolved.retry !== undefined ? { retry: resolved.retry } : {}),
    ...(resolved.lockLeaseMs !== undefined ? { lockLeaseMs: resolved.lockLeaseMs } : {}),
    ...(resolved.identityResolver !== undefined ? { identityResolver: resolved.identityResolver } : {}),
    chains: ["user"],
    installContext: async (_context, input) => {
      const request = slackInstallRequest(input, resolved);
      return { scopes: request.botScopes, ctx: { user_scopes: request.userScopes, ...(request.team ? { team: request.team } : {}) } };
    },
    authorizeQuery: (input) => {
      const request = slackInstallRequest(input, resolved);
      return { ...(request.userScopes.length > 0 ? { user_scope: request.userScopes.join(",") } : {}), ...(request.team ? { team: request.team } : {}) };
    },
    parseTokenResponse: parseSlackTokenResponse,
    mapError: mapSlackError,
    buildIntegration: async (_context, { draft, body }) => ({ ...draft, metadata: { ...slackInstallMetadata(parseSlackAccess(body)) } }),
    parseMetadata: parseSlackMetadata,
    naturalKey: slackNaturalKey,
    runtime: (integration, tokens) => slackRuntime(integration, tokens, endpoints.apiBaseUrl),
    revoke: revokeSlackTokens((context, integration, chain) => strategy.token(context, integration, chain), endpoints.revokeUrl),
    rejectsCredentials: slackRejectsCredentials,
    ...(resolved.providerStartedInstalls === "pending" ? { pendingInstall: { describe: describeSlackPendingInstall } } : {}),
  }, { signingSecret: resolved.signingSecret });
  return strategy;
}
