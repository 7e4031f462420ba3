// One user token per Slack user: a user token belongs to the Slack user who approved it (`authed_user.id`), so an
// install that granted a bot and a user token is stored as two connections, the workspace's (bot chain) and the
// user's own (natural key `…:user:{U…}`). Also moves the user chain out of records written before that (1.x, 2.0.x).
import { SdkError, type Integration, type IntegrationDraft } from "@sdk/core";
import { refreshLockKey, type ProviderContext } from "@sdk/core/provider-kit";
import { chainFields, storeCachedToken, tokenCodec, tokenKey, withRefreshLock } from "@sdk/oauth";
import { randomUUID } from "node:crypto";
import { slackNaturalKey } from "./slack-install-metadata.js";

const BOT = chainFields("");
const USER = chainFields("user");
const USER_FIELDS: readonly string[] = Object.values(USER);

/** Whether credentials hold a chain, without reading (so decrypting) a sealed field. */
function holds(credentials: Record<string, unknown>, names: { refresh: string; access: string }): boolean {
  return Object.hasOwn(credentials, names.refresh) || Object.hasOwn(credentials, names.access);
}

function pick(credentials: Record<string, unknown>, keep: (field: string) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(credentials)) if (keep(field)) out[field] = credentials[field];
  return out;
}

/**
 * Splits a bot + user draft into the workspace's draft (bot chain, bot scopes) and the user's (user chain, user
 * scopes). Undefined when there is nothing to split: a bot-only or user-only install, or a hand-made draft that does
 * not name the Slack user (`metadata.authed_user_id`), which is kept whole as before.
 */
export function splitSlackDraft(draft: IntegrationDraft): { workspace: IntegrationDraft; user: IntegrationDraft } | undefined {
  const { credentials } = draft;
  const metadata = draft.metadata ?? {};
  if (!holds(credentials, BOT) || !holds(credentials, USER) || typeof metadata.authed_user_id !== "string") return undefined;
  const botScopes = Array.isArray(credentials[BOT.scopes]) ? (credentials[BOT.scopes] as string[]) : draft.scopes;
  const userScopes = Array.isArray(credentials[USER.scopes]) ? (credentials[USER.scopes] as string[]) : [];
  return {
    workspace: { ...draft, ...(botScopes ? { scopes: botScopes } : {}), credentials: pick(credentials, (field) => !USER_FIELDS.includes(field)) },
    user: { ...draft, scopes: userScopes, credentials: pick(credentials, (field) => USER_FIELDS.includes(field)) },
  };
}

/** The account's record with this natural key, or a 1.x record without one whose metadata yields it. */
async function findByKey(context: ProviderContext, accountId: string, naturalKey: string): Promise<Integration | undefined> {
  const keyed = (await context.integrations.list({ account_id: accountId, provider: "slack", natural_key: naturalKey }))[0];
  if (keyed) return keyed;
  const records = await context.integrations.list({ account_id: accountId, provider: "slack" });
  return records.find((record) => record.natural_key === null && slackNaturalKey(record) === naturalKey);
}

export interface LegacyMoveOptions {
  /** The provider's refresh lock lease, so a refresh of the chain and the move never overlap. */
  leaseMs: number;
  /** The provider's refresh skew, to re-cache the moved access token under the new record. */
  skewMs: number;
}

/**
 * Before a workspace install is stored: when the account's record of that workspace still holds a user chain
 * (written by 1.x or 2.0.x, when the workspace record kept one user token), that chain moves to its owner's own
 * record (`metadata.authed_user_id`; created only when that user has none yet) and leaves the workspace record.
 * It runs under the chain's refresh lock, so no refresh rotates the chain while it moves. A chain whose owner is
 * unknown is dropped from the workspace record by the install, as before, and a warning is logged.
 */
export async function moveLegacyUserChain(context: ProviderContext, workspace: IntegrationDraft, options: LegacyMoveOptions): Promise<void> {
  const key = slackNaturalKey({ metadata: workspace.metadata ?? {}, credentials: workspace.credentials });
  if (!key) return;
  const found = await findByKey(context, workspace.account_id, key);
  if (!found || !holds(found.credentials, USER)) return;
  const owner = found.metadata.authed_user_id;
  if (typeof owner !== "string") {
    context.logger.warn({ provider: "slack", integration_id: found.id }, "a workspace record holds a user token of an unknown Slack user; the install replaces it");
    return;
  }
  const cache = context.requireCache();
  const lockKey = refreshLockKey(found.provider, found.id, found.account_id, "user");
  await withRefreshLock({ cache, lockKey, leaseMs: options.leaseMs, waitMs: options.leaseMs + 5000 }, async () => undefined, async () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = await context.integrations.get(found.id);
      if (!current || !holds(current.credentials, USER)) return true;
      const userCredentials = pick(current.credentials, (field) => USER_FIELDS.includes(field));
      const userKey = slackNaturalKey({ metadata: current.metadata, credentials: userCredentials })!;
      if (!(await findByKey(context, current.account_id, userKey))) {
        const created = await context.integrations.create({
          id: randomUUID(),
          provider: current.provider,
          account_id: current.account_id,
          created_by: current.created_by,
          auth_type: "oauth2",
          status: current.status,
          scopes: Array.isArray(userCredentials[USER.scopes]) ? (userCredentials[USER.scopes] as string[]) : [],
          credentials: userCredentials,
          metadata: current.metadata,
          natural_key: userKey,
        });
        // Sealed tokens are bound to their key name: opened under the old key, sealed again under the new one.
        const cached = tokenCodec(context).decode(tokenKey(current, "user"), await cache.get(tokenKey(current, "user")));
        if (cached) await storeCachedToken(cache, tokenKey(created, "user"), cached, context.now(), options.skewMs, tokenCodec(context));
      }
      try {
        await context.integrations.update(current, { credentials: pick(current.credentials, (field) => !USER_FIELDS.includes(field)) });
      } catch (error) {
        if (SdkError.is(error, "integration_conflict")) continue;
        throw error;
      }
      await cache.delete(tokenKey(current, "user"));
      context.logger.info({ provider: "slack", integration_id: current.id }, "moved a workspace record's user token to its Slack user's own connection");
      return true;
    }
    throw new SdkError("integration_conflict", `Integration "${found.id}" kept changing while its user token moved to its own connection; retry.`, { details: { integration_id: found.id } });
  });
}
