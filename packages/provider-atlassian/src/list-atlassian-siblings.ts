// The account's Jira, JSM and Confluence integrations: the siblings that share one Atlassian grant (one grant per
// Atlassian user and app). Only Atlassian providers ever call this, so other installs never trigger the lookup.
import type { Integration, ProviderContext } from "@sdk/core";
import { ATLASSIAN_PRODUCTS } from "./atlassian-options.js";

/** Every non-revoked Atlassian integration of the account, oldest first. */
export async function listAtlassianSiblings(context: ProviderContext, accountId: string): Promise<Integration[]> {
  const found = await context.integrations.list({ account_id: accountId, providers: [...ATLASSIAN_PRODUCTS] });
  return found.filter((integration) => integration.status !== "revoked");
}
