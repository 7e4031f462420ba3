// The runtime shape `resolveConnection` returns for Slack: install facts from metadata, the bot token and the user
// token (each fresh from its own chain), and headers carrying the bot token when there is one, else the user token.
import { SdkError, type Integration, type Runtime } from "@sdk/core";
import { type RuntimeFields } from "@sdk/core/provider-kit";
import type { ChainTokens, CachedToken } from "@sdk/oauth";
import type { SlackInstallMetadata } from "./slack-install-metadata.js";

/** The Slack part of the runtime (what the `runtime` hook returns): the install facts, then the tokens. */
export interface SlackRuntimeFields extends RuntimeFields, Omit<SlackInstallMetadata, "incoming_webhook"> {
  /** The token in `headers`: the bot token when the install has one, else the user token. */
  access_token: string;
  /** Which token `access_token` is. */
  token_type: "bot" | "user";
  /** Expiry of `access_token` (ISO 8601); null for a non-rotating token, which does not expire. */
  expires_at: string | null;
  /** Scopes of `access_token`. */
  scopes: string[];
  /** `xoxe.xoxb-…` (rotating) or `xoxb-…`; null for user-only installs. */
  bot_token: string | null;
  /** Expiry of `bot_token` (ISO 8601); null when it does not expire or there is none. */
  bot_token_expires_at: string | null;
  /** Scopes granted to the bot token. */
  bot_scopes: string[];
  /** `xoxe.xoxp-…` or `xoxp-…` when user scopes were granted, else null. */
  user_token: string | null;
  /** Expiry of `user_token` (ISO 8601); null when it does not expire or there is none. */
  user_token_expires_at: string | null;
  /** Scopes granted to the user token. */
  user_scopes: string[];
  /** `https://slack.com/api` unless overridden: `sdk.fetch(id, "/chat.postMessage", …)`. */
  api_base_url: string;
  /** `Authorization: Bearer <access_token>`. */
  headers: { Authorization: string };
}

/** What `sdk.resolveConnection<SlackRuntime>(id)` returns for a Slack integration. */
export interface SlackRuntime extends Runtime, SlackRuntimeFields {
  /** `https://slack.com/api` unless overridden. */
  api_base_url: string;
  /** `Authorization: Bearer <access_token>`. */
  headers: { Authorization: string };
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** A non-rotating token reads as expiring "never" (a far-future number); the runtime says null instead. */
function expiry(token: CachedToken | undefined): string | null {
  if (!token || !(token.expires_at < 8.64e15)) return null;
  return new Date(token.expires_at).toISOString();
}

/** The `runtime` hook. */
export function slackRuntime(integration: Integration, tokens: ChainTokens, apiBaseUrl: string): SlackRuntimeFields {
  const bot = tokens[""];
  const user = tokens.user;
  const primary = bot ?? user;
  if (!primary) throw new SdkError("reauth_required", `Slack integration "${integration.id}" holds no token: connect Slack again.`, { details: { provider: "slack", integration_id: integration.id } });
  const { metadata } = integration;
  return {
    team_id: text(metadata.team_id),
    team_name: text(metadata.team_name),
    enterprise_id: text(metadata.enterprise_id),
    enterprise_name: text(metadata.enterprise_name),
    is_enterprise_install: metadata.is_enterprise_install === true,
    app_id: text(metadata.app_id),
    bot_user_id: text(metadata.bot_user_id),
    authed_user_id: text(metadata.authed_user_id),
    access_token: primary.access_token,
    token_type: bot ? "bot" : "user",
    expires_at: expiry(primary),
    scopes: primary.scopes,
    bot_token: bot?.access_token ?? null,
    bot_token_expires_at: expiry(bot),
    bot_scopes: bot?.scopes ?? [],
    user_token: user?.access_token ?? null,
    user_token_expires_at: expiry(user),
    user_scopes: user?.scopes ?? [],
    api_base_url: apiBaseUrl,
    headers: { Authorization: `Bearer ${primary.access_token}` },
  };
}
