// Finds a Slack connection of an account by what Slack calls it: the workspace (or Grid org) install that holds the
// bot token, or one Slack user's connection that holds that user's token. Reads through the SDK's public API only.
import { type IntegrationSummary } from "@sdk/core";
import { lazySchema, parseInput } from "@sdk/core/provider-kit";
import type { z } from "zod";
import { slackIdSchema } from "./parse-slack-token-response.js";
import { slackNaturalKey } from "./slack-install-metadata.js";

/** Which Slack connection: `team_id` (workspace) or `enterprise_id` (org-wide install), and `user_id` for a user's token. */
export interface SlackConnectionQuery {
  /** Your customer account the connection belongs to. */
  account_id: string;
  /** The workspace (`T…`) of a workspace install. */
  team_id?: string;
  /** The Grid org (`E…`) of an org-wide install; wins over `team_id`. */
  enterprise_id?: string;
  /** The Slack user (`U…`/`W…`) whose user token you want; omit for the install's bot token. */
  user_id?: string;
}

const querySchema = lazySchema((z) =>
  z
    .strictObject({ account_id: z.string().min(1).max(256), team_id: slackIdSchema().optional(), enterprise_id: slackIdSchema().optional(), user_id: slackIdSchema().optional() })
    .refine((query) => query.team_id !== undefined || query.enterprise_id !== undefined, { message: "needs team_id or enterprise_id", path: ["team_id"] }),
);

/** The natural key of a Slack connection: `team:{T…}` / `enterprise:{E…}`, plus `:user:{U…}` for a user's token. */
export function slackConnectionKey(query: Omit<SlackConnectionQuery, "account_id">): string {
  const install = query.enterprise_id !== undefined ? `enterprise:${query.enterprise_id}` : `team:${query.team_id}`;
  return query.user_id !== undefined ? `${install}:user:${query.user_id}` : install;
}

/**
 * The account's Slack connection for a workspace / org install (its bot token) or for one Slack user of it (that
 * user's token), or undefined. Resolve it with `sdk.resolveConnection(found.id)`: `runtime.user_token` is that user's
 * token. Bad input is `validation_failed` naming the field (`findSlackConnection.team_id`).
 *
 * Records written before 2.1 are found too: a workspace record without a natural key by its metadata, and a user
 * token still kept in the workspace record (until the next install into that workspace moves it) by its owner.
 */
export async function findSlackConnection(
  sdk: { listConnections(input: { account_id: string; provider?: string }): Promise<IntegrationSummary[]> },
  query: SlackConnectionQuery,
): Promise<IntegrationSummary | undefined> {
  const parsed = parseInput(querySchema(), query, "findSlackConnection");
  const key = slackConnectionKey(parsed);
  const connections = await sdk.listConnections({ account_id: parsed.account_id, provider: "slack" });
  const keyOf = (connection: IntegrationSummary) => connection.natural_key ?? legacyKey(connection);
  const found = connections.find((connection) => keyOf(connection) === key);
  if (found || parsed.user_id === undefined) return found;
  const install = parsed.enterprise_id !== undefined ? `enterprise:${parsed.enterprise_id}` : `team:${parsed.team_id}`;
  return connections.find(
    (connection) =>
      keyOf(connection) === install && connection.metadata.authed_user_id === parsed.user_id && (connection.credential_fields.includes("user_refresh_token") || connection.credential_fields.includes("user_access_token")),
  );
}

/** The natural key a record written before natural keys (1.x) gets on its next write. */
function legacyKey(connection: IntegrationSummary): string | null {
  return slackNaturalKey({ metadata: connection.metadata, credentials: Object.fromEntries(connection.credential_fields.map((field) => [field, "stored"])) });
}
