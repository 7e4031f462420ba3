// Installation webhooks (`Sentry-Hook-Resource: installation`): verify the signature and the replay window, then on
// `deleted` mark every integration of that installation `revoked` (compare-and-set), drop its cached token and emit
// `connection.revoked`; on `created` with a code, park a pending install when the provider opted in. It reads only
// what it needs from the body and never logs or returns any of it.
import { SdkError, type Integration, type PendingInstall, type WebhookInput, type WebhookResult } from "@sdk/core";
import { lazySchema, internalKey, parseInput, type InstallCallbackInput, type ProviderContext } from "@sdk/core/provider-kit";
import type { z } from "zod";
import { installationIdSchema, sentrySlugSchema } from "./sentry-hosts.js";
import { verifySentrySignature } from "./verify-sentry-signature.js";

const installationEventSchema = lazySchema((z) =>
  z.object({
    action: z.string().max(64),
    data: z.object({
      installation: z.object({
        uuid: installationIdSchema(),
        code: z.string().min(1).max(256).optional(),
        organization: z.object({ slug: sentrySlugSchema() }).optional(),
      }),
    }),
  }),
);

/** How far `Sentry-Hook-Timestamp` may be from the clock, either way. */
export const WEBHOOK_WINDOW_MS = 5 * 60 * 1000;

const KNOWN_ACTIONS = new Set(["created", "deleted"]);

export interface SentryWebhookTarget {
  provider: string;
  clientSecret: string;
  /** Drops the integration's cached access token. */
  invalidate(context: ProviderContext, integration: Integration): Promise<void>;
  /** Present when installs started on sentry.io become pending installs (`providerStartedInstalls: "pending"`). */
  parkPendingInstall?(context: ProviderContext, input: InstallCallbackInput): Promise<PendingInstall | undefined>;
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
  const delivery = await admitDelivery(context, input, target.provider);
  try {
    return await applyWebhook(context, input, target);
  } catch (error) {
    // Not applied: Sentry may deliver it again, and that delivery must not be taken for a replay.
    await delivery.release();
    throw error;
  }
}

function replayed(provider: string, reason: string, header: string): SdkError {
  return new SdkError("webhook_replayed", `The ${provider} webhook ${reason}: answer 2xx without acting on it (or 400) and ignore it.`, {
    details: { provider, header },
  });
}

/**
 * The replay window: `Sentry-Hook-Timestamp` (seconds) within 5 minutes of the clock, and a `Request-ID` not seen
 * in the last 10 minutes (remembered in the cache with setIfAbsent, so one delivery is applied once across processes).
 */
async function admitDelivery(context: ProviderContext, input: WebhookInput, provider: string): Promise<{ release(): Promise<void> }> {
  const timestamp = headerValue(input.headers, "sentry-hook-timestamp");
  if (timestamp === undefined || !/^\d{1,12}(\.\d{1,6})?$/.test(timestamp)) {
    throw new SdkError("validation_failed", `"handleWebhook.headers.Sentry-Hook-Timestamp" is missing or not a Unix time in seconds.`, {
      details: { field: "handleWebhook.headers.Sentry-Hook-Timestamp" },
    });
  }
  if (Math.abs(Number(timestamp) * 1000 - context.now()) > WEBHOOK_WINDOW_MS) throw replayed(provider, "is older (or newer) than 5 minutes", "Sentry-Hook-Timestamp");
  const requestId = headerValue(input.headers, "request-id");
  if (requestId === undefined || !/^[\w.:-]{1,128}$/.test(requestId)) {
    throw new SdkError("validation_failed", `"handleWebhook.headers.Request-ID" is missing or not a delivery id.`, { details: { field: "handleWebhook.headers.Request-ID" } });
  }
  const cache = context.requireCache();
  const key = internalKey(context.keyPrefix, "webhook_seen", `${provider}:${requestId}`);
  if (!(await cache.setIfAbsent(key, "seen", 2 * WEBHOOK_WINDOW_MS))) throw replayed(provider, "was already received (same Request-ID)", "Request-ID");
  return { release: () => cache.deleteIfEquals(key, "seen").then(() => undefined) };
}

async function applyWebhook(context: ProviderContext, input: WebhookInput, target: SentryWebhookTarget): Promise<WebhookResult> {
  if (headerValue(input.headers, "sentry-hook-resource") !== "installation") return { integration_ids: [] };
  let json: unknown;
  try {
    json = JSON.parse(input.body);
  } catch {
    throw new SdkError("validation_failed", `"handleWebhook.body" is invalid: not JSON.`, { details: { field: "handleWebhook.body" } });
  }
  const event = parseInput(installationEventSchema(), json, "handleWebhook.body");
  if (!KNOWN_ACTIONS.has(event.action)) return { integration_ids: [] };
  if (event.action === "created") return installationCreated(context, event.data.installation, target);

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

/**
 * `installation.created` carries the install's code: with pending installs on, it is exchanged and parked for a
 * user's confirmation (once per code; the browser redirect carrying the same code claims it). Otherwise, or without
 * a code, it is only acknowledged.
 */
async function installationCreated(
  context: ProviderContext,
  installation: z.infer<ReturnType<typeof installationEventSchema>>["data"]["installation"],
  target: SentryWebhookTarget,
): Promise<WebhookResult> {
  if (!target.parkPendingInstall || !installation.code || !installation.organization) return { event: "installation.created", integration_ids: [] };
  let pending: PendingInstall | undefined;
  try {
    pending = await target.parkPendingInstall(context, {
      provider: target.provider,
      code: installation.code,
      installationId: installation.uuid,
      orgSlug: installation.organization.slug,
    });
  } catch (error) {
    // The code is gone at Sentry (used by another instance, expired): nothing to park, and nothing Sentry should retry.
    if (!SdkError.is(error, "reauth_required")) throw error;
    context.logger.warn({ provider: target.provider, code: error.code }, "installation.created webhook: its code can no longer be exchanged; acknowledged");
  }
  return { event: "installation.created", integration_ids: [], ...(pending ? { pending_install: pending } : {}) };
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
