// Installation webhooks (`Sentry-Hook-Resource: installation`): verify the signature, then on `deleted` mark every
// integration of that installation `revoked` (compare-and-set), drop its cached token and emit `connection.revoked`.
// It reads only what it needs from the body and never logs or returns any of it.
import { SdkError, parseInput, type Integration, type ProviderContext, type WebhookInput, type WebhookResult } from "@sdk/core";
import { z } from "zod";
import { installationIdSchema } from "./sentry-hosts.js";
import { verifySentrySignature } from "./verify-sentry-signature.js";

const installationEventSchema = z.object({
  action: z.string().max(64),
  data: z.object({ installation: z.object({ uuid: installationIdSchema }) }),
});

const KNOWN_ACTIONS = new Set(["created", "deleted"]);

export interface SentryWebhookTarget {
  provider: string;
  clientSecret: string;
  /** Drops the integration's cached access token. */
  invalidate(context: ProviderContext, integration: Integration): Promise<void>;
}

/** The single value of a header (names are case-insensitive); undefined when absent or repeated. */
export function headerValue(headers: WebhookInput["headers"], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
    return value;
  }
  return undefined;
}

export async function handleSentryWebhook(context: ProviderContext, input: WebhookInput, target: SentryWebhookTarget): Promise<WebhookResult> {
  if (!verifySentrySignature(input.body, headerValue(input.headers, "sentry-hook-signature"), target.clientSecret)) {
    throw new SdkError("webhook_signature_invalid", `The ${target.provider} webhook's Sentry-Hook-Signature is missing or does not match the body: answer 401 and ignore it.`, {
      details: { provider: target.provider, header: "Sentry-Hook-Signature" },
    });
  }
  if (headerValue(input.headers, "sentry-hook-resource") !== "installation") return { integration_ids: [] };
  let json: unknown;
  try {
    json = JSON.parse(input.body);
  } catch {
    throw new SdkError("validation_failed", `"handleWebhook.body" is invalid: not JSON.`, { details: { field: "handleWebhook.body" } });
  }
  const event = parseInput(installationEventSchema, json, "handleWebhook.body");
  if (!KNOWN_ACTIONS.has(event.action)) return { integration_ids: [] };
  if (event.action !== "deleted") return { event: `installation.${event.action}`, integration_ids: [] };

  const installationId = event.data.installation.uuid.toLowerCase();
  const changed: string[] = [];
  for (const found of await context.integrations.list({ provider: target.provider, natural_key: installationId })) {
    const revoked = await markRevoked(context, found.id);
    await target.invalidate(context, found);
    if (!revoked) continue;
    changed.push(found.id);
    context.events.emit("connection.revoked", {
      provider: found.provider,
      integration_id: found.id,
      account_id: found.account_id,
      reason: "the organization uninstalled the Sentry integration",
    });
  }
  return { event: "installation.deleted", integration_ids: changed };
}

/** Compare-and-set to `revoked`; false when it already was (a redelivered webhook changes nothing). */
async function markRevoked(context: ProviderContext, id: string): Promise<boolean> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await context.integrations.get(id);
    if (!current || current.status === "revoked") return false;
    try {
      await context.integrations.update(current, { status: "revoked" });
      return true;
    } catch (error) {
      if (!SdkError.is(error, "integration_conflict")) throw error;
    }
  }
  throw new SdkError("integration_conflict", `Integration "${id}" kept changing while the uninstall webhook was applied; let Sentry redeliver it.`, {
    details: { integration_id: id },
  });
}
