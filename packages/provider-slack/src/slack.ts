// The Slack provider: OAuth v2 facts and quirks on the engine of @sdk/oauth. Bot token = primary chain, user token =
// chain "user", each rotating on its own; `{ ok: false }` errors, install metadata, natural key, runtime, auth.revoke.
// HTTP, retries, state, the refresh protocol and token caching are the engine's and are not re-implemented here.
import type { IntegrationDraft, ProviderDefinition } from "@sdk/core";
import { defineOAuthProvider, pickTuning, type OAuthContext } from "@sdk/oauth";
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

/** What `slack()` returns: a provider for `createSDK({ providers })`, typed with its id and runtime. */
export type SlackProvider = ProviderDefinition<"slack", SlackRuntime>;

/**
 * A user token is its Slack user's own connection: a bot + user install is stored as the workspace's connection
 * (bot token) plus the user's (`…:user:{U…}`), and a workspace record that still holds a user token (1.x, 2.0.x)
 * hands it to its owner's connection first.
 */
async function prepareSlackDraft(context: OAuthContext, draft: IntegrationDraft, lock: { leaseMs: number; skewMs: number }): Promise<{ draft: IntegrationDraft; related?: IntegrationDraft[] }> {
  const split = splitSlackDraft(draft);
  const workspace = split?.workspace ?? draft;
  if (workspace.credentials.refresh_token !== undefined || workspace.credentials.access_token !== undefined) await moveLegacyUserChain(context, workspace, lock);
  return split ? { draft: workspace, related: [split.user] } : { draft: workspace };
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
  // Slack: rotating access tokens live 43,200 s; the default skew refreshes them two hours early.
  const skewSeconds = resolved.skewSeconds ?? 7200;
  const lockLeaseMs = resolved.lockLeaseMs ?? 45_000;
  const provider = defineOAuthProvider({
    id: "slack",
    chains: ["user"],
    client: {
      clientId: resolved.clientId,
      clientSecret: resolved.clientSecret,
      redirectUri: resolved.redirectUri,
      scopes: resolved.scopes,
      scopeSeparator: ",",
      pkce: resolved.pkce ?? false,
      clientAuth: resolved.clientAuth ?? "client_secret_basic",
      tokenRequestFormat: "form",
      ...(resolved.identityResolver !== undefined ? { identityResolver: resolved.identityResolver } : {}),
    },
    endpoints: { authorizeUrl: endpoints.authorizeUrl, tokenUrl: endpoints.tokenUrl, revokeUrl: endpoints.revokeUrl, apiBaseUrl: endpoints.apiBaseUrl },
    // Slack: rotating access tokens live 43,200 s, always.
    tuning: { ...pickTuning(resolved), skewSeconds, defaultExpiresInSeconds: 43_200 },
    hooks: {
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
      revoke: revokeSlackTokens(endpoints.revokeUrl),
      rejectsCredentials: slackRejectsCredentials,
      ...(resolved.providerStartedInstalls === "pending" ? { pendingInstall: { describe: describeSlackPendingInstall } } : {}),
      prepareDraft: (context, draft) => prepareSlackDraft(context, draft, { leaseMs: lockLeaseMs, skewMs: skewSeconds * 1000 }),
      // Slack's Events API: verifies the request signature (`slack({ signingSecret })`), answers `url_verification`
      // (`result.response`), and applies `app_uninstalled` and `tokens_revoked`.
      handleWebhook: (context, input) =>
        handleSlackEvents(context, input, { provider: "slack", signingSecret: resolved.signingSecret, invalidate: (_context, integration) => context.engine.invalidate(integration) }),
    },
  });
  return provider as unknown as SlackProvider;
}
