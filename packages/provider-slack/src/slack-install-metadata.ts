// What a Slack install is about (workspace or Enterprise Grid org, app, bot user, installing user) and the natural
// key that makes a re-install update the same integration. Secrets never go here: metadata is stored in plaintext.
import { SdkError } from "@sdk/core";
import { lazySchema, parseInput } from "@sdk/core/provider-kit";
import type { z } from "zod";
import { slackIdSchema, type SlackAccessBody } from "./parse-slack-token-response.js";

/** `metadata` of a Slack integration: what the install is about. Plaintext, so never a secret. */
export interface SlackInstallMetadata {
  /** The workspace (`T…`); null for an org-wide install. */
  team_id: string | null;
  /** The workspace's name at install time. */
  team_name: string | null;
  /** The Enterprise Grid org (`E…`) the workspace belongs to, or that was installed org-wide; null outside Grid. */
  enterprise_id: string | null;
  /** The org's name at install time. */
  enterprise_name: string | null;
  /** True for an org-wide install (`is_enterprise_install`): one install covers every workspace of the org. */
  is_enterprise_install: boolean;
  /** The Slack app (`A…`). */
  app_id: string | null;
  /** The bot user (`U…`/`W…`); null for user-token-only installs. */
  bot_user_id: string | null;
  /** The Slack user who approved the install (`authed_user.id`). */
  authed_user_id: string | null;
  /** Where an `incoming-webhook` install posts. The webhook `url` is a secret and is not kept. */
  incoming_webhook?: { channel?: string; channel_id?: string; configuration_url?: string };
}

const nullableId = lazySchema(() => slackIdSchema().nullable());
const name = lazySchema((z) => z.string().max(512).nullable());

const metadataSchema = lazySchema((z) =>
  z
    .strictObject({
      team_id: nullableId(),
      team_name: name().optional(),
      enterprise_id: nullableId().optional(),
      enterprise_name: name().optional(),
      is_enterprise_install: z.boolean(),
      app_id: nullableId().optional(),
      bot_user_id: nullableId().optional(),
      authed_user_id: nullableId().optional(),
      incoming_webhook: z
        .strictObject({
          channel: z.string().max(256).optional(),
          channel_id: z.string().max(64).optional(),
          configuration_url: z.string().max(2048).optional(),
        })
        .optional(),
    })
    .superRefine((metadata, ctx) => {
      if (metadata.is_enterprise_install && !metadata.enterprise_id) {
        ctx.addIssue({ code: "custom", path: ["enterprise_id"], message: "is required for an org-wide install" });
      }
      if (!metadata.is_enterprise_install && !metadata.team_id) {
        ctx.addIssue({ code: "custom", path: ["team_id"], message: "is required for a workspace install" });
      }
    }),
);

/** The `parseMetadata` hook: validates metadata given to `createConnection`, naming the bad field. */
export function parseSlackMetadata(metadata: Record<string, unknown>, field: string): Record<string, unknown> {
  return parseInput(metadataSchema(), metadata, field);
}

/** Metadata of an install from its oauth.v2.access answer. */
export function slackInstallMetadata(body: SlackAccessBody): SlackInstallMetadata {
  const enterpriseInstall = body.is_enterprise_install === true;
  const enterprise = body.enterprise ?? null;
  // Org installs may answer `team: null` or (UNSURE) the org itself as `team`; neither is a workspace.
  const team = body.team && !(enterpriseInstall && body.team.id === enterprise?.id) ? body.team : null;
  const missing = enterpriseInstall ? (enterprise ? undefined : "enterprise.id") : team ? undefined : "team.id";
  if (missing) {
    throw new SdkError("provider_response_invalid", `"${missing}" in slack oauth.v2.access response is missing.`, { details: { provider: "slack", field: missing } });
  }
  return {
    team_id: team?.id ?? null,
    team_name: team?.name ?? null,
    enterprise_id: enterprise?.id ?? null,
    enterprise_name: enterprise?.name ?? null,
    is_enterprise_install: enterpriseInstall,
    app_id: body.app_id ?? null,
    bot_user_id: body.bot_user_id ?? null,
    authed_user_id: body.authed_user?.id ?? null,
    ...(body.incoming_webhook ? { incoming_webhook: body.incoming_webhook } : {}),
  };
}

/**
 * The natural key: `enterprise:{E…}` for an org-wide install, `team:{T…}` for a workspace install, and for an install
 * with only a user token (a person's grant, not the workspace's) `…:user:{U…}` appended. One integration per
 * account and key: a re-install updates it in place.
 */
export function slackNaturalKey(draft: { metadata: Record<string, unknown>; credentials: Record<string, unknown> }): string | null {
  const { metadata, credentials } = draft;
  const install = metadata.is_enterprise_install === true ? `enterprise:${String(metadata.enterprise_id)}` : `team:${String(metadata.team_id)}`;
  const hasBot = typeof credentials.refresh_token === "string" || typeof credentials.access_token === "string";
  return hasBot || typeof metadata.authed_user_id !== "string" ? install : `${install}:user:${metadata.authed_user_id}`;
}
