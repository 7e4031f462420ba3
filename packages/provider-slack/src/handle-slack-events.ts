// Slack's Events API on `sdk.handleWebhook({ provider: "slack", headers, body })`: the request signature first, then
// `url_verification` (echo the challenge), `app_uninstalled` (every record of that install -> `revoked`) and
// `tokens_revoked` (the listed user or bot chains become unusable). Events of installs the store does not know, and
// every other event, are acknowledged and ignored. Nothing from the body is logged or returned but ids.
import { SdkError, type Integration, type WebhookInput, type WebhookResult } from "@sdk/core";
import { lazySchema, parseInput, type ProviderContext } from "@sdk/core/provider-kit";
import { chainFields, tokenKey } from "@sdk/oauth";
import type { z } from "zod";
import { slackIdSchema } from "./parse-slack-token-response.js";
import { slackNaturalKey } from "./slack-install-metadata.js";
import { verifySlackRequest } from "./verify-slack-signature.js";

const nullableId = lazySchema(() => slackIdSchema().nullish());

/**
 * The Events API envelope, as far as it is read. @see https://api.slack.com/apis/events-api (callback fields),
 * https://api.slack.com/events/app_uninstalled, https://api.slack.com/events/tokens_revoked; which install an event
 * is about follows bolt-js (`authorizations[0]` first, then the top-level ids).
 */
const envelopeSchema = lazySchema((z) =>
  z
    .object({
      type: z.string().max(64),
      challenge: z.string().regex(/^[A-Za-z0-9._~+/=-]{1,512}$/, "must be Slack's challenge token").optional(),
      team_id: nullableId(),
      enterprise_id: nullableId(),
      is_enterprise_install: z.boolean().optional(),
      authorizations: z
        .array(z.object({ team_id: nullableId(), enterprise_id: nullableId(), is_enterprise_install: z.boolean().optional() }).loose())
        .max(100)
        .optional(),
      event: z
        .object({
          type: z.string().max(64),
          tokens: z.object({ oauth: z.array(slackIdSchema()).max(10_000).optional(), bot: z.array(slackIdSchema()).max(10_000).optional() }).optional(),
        })
        .loose()
        .optional(),
    })
    .loose(),
);

type Envelope = z.infer<ReturnType<typeof envelopeSchema>>;

export interface SlackEventsTarget {
  provider: string;
  /** Undefined when `slack({ signingSecret })` was not given. */
  signingSecret: string | undefined;
  /** Drops every cached access token of the integration. */
  invalidate(context: ProviderContext, integration: Integration): Promise<void>;
}

/** `team:{T…}` / `enterprise:{E…}`: the natural key of the install an event is about, or undefined. */
function installKey(envelope: Envelope): string | undefined {
  const authorization = envelope.authorizations?.[0];
  const enterpriseInstall = authorization?.is_enterprise_install ?? envelope.is_enterprise_install ?? false;
  const enterpriseId = authorization?.enterprise_id ?? envelope.enterprise_id;
  const teamId = authorization?.team_id ?? envelope.team_id;
  if (enterpriseInstall) return enterpriseId ? `enterprise:${enterpriseId}` : undefined;
  return teamId ? `team:${teamId}` : undefined;
}

function holds(credentials: Record<string, unknown>, chain: string): boolean {
  const names = chainFields(chain);
  return Object.hasOwn(credentials, names.refresh) || Object.hasOwn(credentials, names.access);
}

export async function handleSlackEvents(context: ProviderContext, input: WebhookInput, target: SlackEventsTarget): Promise<WebhookResult> {
  if (!target.signingSecret) {
    throw new SdkError("misconfigured", `Slack events need the app's Signing Secret: pass slack({ signingSecret }).`, { details: { field: "slack.signingSecret", provider: target.provider } });
  }
  verifySlackRequest(input, target.signingSecret, context.now());
  let json: unknown;
  try {
    json = JSON.parse(input.body);
  } catch {
    // Signed by Slack but not an Events API body (an interactivity or slash-command request on the same URL).
    return { integration_ids: [] };
  }
  const envelope = parseInput(envelopeSchema(), json, "handleWebhook.body");
  if (envelope.type === "url_verification") {
    if (envelope.challenge === undefined) {
      throw new SdkError("validation_failed", `"handleWebhook.body.challenge" is required.`, { details: { field: "handleWebhook.body.challenge" } });
    }
    return { event: "url_verification", integration_ids: [], response: { content_type: "text/plain", body: envelope.challenge } };
  }
  const event = envelope.type === "event_callback" ? envelope.event : undefined;
  if (event?.type !== "app_uninstalled" && event?.type !== "tokens_revoked") return { integration_ids: [] };
  const install = installKey(envelope);
  if (!install) return { event: event.type, integration_ids: [] };
  // Every Slack record of that install, in every account: user connections have keys below the install's, and
  // records written before natural keys (1.x) are matched by their metadata.
  const records = (await context.integrations.list({ provider: target.provider })).filter((record) => {
    const key = record.natural_key ?? slackNaturalKey(record);
    return key === install || key?.startsWith(`${install}:user:`) === true;
  });
  const changed = new Set<string>();
  const retire = async (record: Integration, chains: string[], reason: string) => {
    if (await retireChains(context, target, record, chains, reason)) changed.add(record.id);
  };
  if (event.type === "app_uninstalled") {
    for (const record of records) await retire(record, ["", "user"], "the Slack app was uninstalled");
    return { event: event.type, integration_ids: [...changed] };
  }
  const users = new Set(event.tokens?.oauth ?? []);
  const bots = new Set(event.tokens?.bot ?? []);
  for (const record of records) {
    const workspace = (record.natural_key ?? slackNaturalKey(record)) === install;
    const chains: string[] = [];
    if (workspace && bots.has(String(record.metadata.bot_user_id)) && holds(record.credentials, "")) chains.push("");
    // A user's connection, or (1.x / 2.0.x) a workspace record still holding its installer's user chain.
    if (users.has(String(record.metadata.authed_user_id)) && holds(record.credentials, "user")) chains.push("user");
    if (chains.length > 0) await retire(record, chains, "Slack revoked the token");
  }
  return { event: event.type, integration_ids: [...changed] };
}

/**
 * Makes chains of a record unusable, compare-and-set: the record becomes `revoked` when no other chain is left (its
 * dead credentials stay, a re-install replaces them), else the dead chain's fields leave the record. The chains'
 * cached access tokens are dropped either way. False when nothing changed (a redelivered event).
 */
async function retireChains(context: ProviderContext, target: SlackEventsTarget, record: Integration, chains: string[], reason: string): Promise<boolean> {
  const dead = new Set(chains.flatMap((chain) => Object.values(chainFields(chain))));
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await context.integrations.get(record.id);
    if (!current || current.status === "revoked") return false;
    const left = ["", "user"].filter((chain) => !chains.includes(chain) && holds(current.credentials, chain));
    try {
      if (left.length === 0) {
        await context.integrations.update(current, { status: "revoked" });
      } else {
        if (!chains.some((chain) => holds(current.credentials, chain))) return false;
        const credentials: Record<string, unknown> = {};
        for (const field of Object.keys(current.credentials)) if (!dead.has(field)) credentials[field] = current.credentials[field];
        await context.integrations.update(current, { credentials });
      }
    } catch (error) {
      if (SdkError.is(error, "integration_conflict")) continue;
      throw error;
    }
    if (left.length === 0) {
      await target.invalidate(context, current);
      context.events.emit("connection.revoked", { provider: current.provider, integration_id: current.id, account_id: current.account_id, reason });
    } else {
      const cache = context.requireCache();
      for (const chain of chains) await cache.delete(tokenKey(current, chain));
      context.logger.info({ provider: current.provider, integration_id: current.id }, "a Slack event revoked one token of this integration; its other token stays");
    }
    return true;
  }
  throw new SdkError("integration_conflict", `Integration "${record.id}" kept changing while a Slack event was applied; let Slack redeliver it.`, { details: { integration_id: record.id } });
}
