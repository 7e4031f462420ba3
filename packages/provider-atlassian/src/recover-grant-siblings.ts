// What a re-install of one product does to siblings in `needs_reauth`: a new consent is a new grant for every product
// and site it covers, so a sibling whose scopes the new grant holds and whose site the new token reaches becomes
// `active` again (with the new refresh token) and emits `connection.recovered`. Siblings it does not cover stay
// `needs_reauth`. A failure here never fails the save: the siblings simply stay as they were.
import { SdkError, type Integration } from "@sdk/core";
import { type ProviderContext } from "@sdk/core/provider-kit";
import type { OAuthContext } from "@sdk/oauth";
import { fetchAccessibleResources } from "./accessible-resources.js";
import { listGrantFamily } from "./atlassian-identity.js";

export async function recoverGrantSiblings(
  context: OAuthContext,
  args: { saved: Integration; accessibleResourcesUrl: string },
): Promise<string[]> {
  const { saved } = args;
  const refreshToken = saved.credentials.refresh_token;
  if (typeof refreshToken !== "string") return [];
  // Only the same Atlassian user's records: a new consent is a new grant of that user, never of another.
  const waiting = (await listGrantFamily(context, saved)).filter(
    (sibling) => sibling.id !== saved.id && sibling.status === "needs_reauth" && sibling.scopes.every((scope) => saved.scopes.includes(scope)),
  );
  if (waiting.length === 0) return [];
  let reachable: Set<string>;
  try {
    const token = await context.engine.token(saved);
    const sites = await fetchAccessibleResources(context.engine.http, { provider: saved.provider, url: args.accessibleResourcesUrl, accessToken: token.access_token });
    reachable = new Set(sites.map((site) => site.cloud_id));
  } catch (error) {
    context.logger.warn(
      { provider: saved.provider, integration_id: saved.id, error_code: SdkError.is(error) ? error.code : "unknown" },
      "could not list the new grant's sites; siblings in needs_reauth stay there",
    );
    return [];
  }
  const recovered: string[] = [];
  for (const sibling of waiting) {
    if (typeof sibling.metadata.cloud_id !== "string" || !reachable.has(sibling.metadata.cloud_id)) continue;
    const updated = await activate(context, sibling.id, refreshToken);
    if (!updated) continue;
    await context.engine.invalidate(updated);
    context.events.emit("connection.recovered", { provider: updated.provider, integration_id: updated.id, account_id: updated.account_id });
    recovered.push(updated.id);
  }
  return recovered;
}

/** Compare-and-set from `needs_reauth` to `active`, re-reading on conflict; undefined when someone else moved it. */
async function activate(context: ProviderContext, id: string, refreshToken: string): Promise<Integration | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await context.integrations.get(id);
    if (!current || current.status !== "needs_reauth") return undefined;
    try {
      return await context.integrations.update(current, { status: "active", credentials: { ...current.credentials, refresh_token: refreshToken } });
    } catch (error) {
      if (!SdkError.is(error, "integration_conflict")) throw error;
    }
  }
  return undefined;
}
