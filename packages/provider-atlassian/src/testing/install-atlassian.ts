// One whole Atlassian install against the emulator through the SDK's public API, for tests, demos and users' CI:
// install URL -> consent page -> callback (-> site selection when asked to pick) -> createConnection.
import { SdkError, type IntegrationSummary, type SDK } from "@sdk/core";
import type { Clock } from "@sdk/oauth/testing";
import type { AtlassianProduct } from "./scope-products.js";
import type { AtlassianConsentDecision, AtlassianEmulator } from "./start-atlassian-emulator.js";

/** What `installAtlassian` does: who installs which product, what the Atlassian user ticks, which site to pick. */
export interface AtlassianInstallScript {
  /** Your customer account the integration belongs to. */
  account_id: string;
  /** Your app's user who starts the install. */
  user_id: string;
  /** The provider id registered in the SDK (one per product). @default "jira" */
  provider?: AtlassianProduct;
  /** Extra scopes for this install. */
  scopes?: string[];
  /** Preselected site passed to `buildInstallUrl`. */
  cloud_id?: string;
  /** What the Atlassian user does on the consent page (who, which sites, approve). */
  consent?: AtlassianConsentDecision;
  /** The site to complete a site selection with; without it `atlassian_site_selection_required` propagates. */
  pick?: string;
}

/**
 * `buildInstallUrl`, the emulator's consent page, `handleInstallCallback` with the browser binding (and
 * `completeSiteSelection` with `pick` when the grant covers several sites), then `createConnection`; resolves to the
 * stored integration.
 */
export async function installAtlassian(
  sdk: Pick<SDK, "buildInstallUrl" | "handleInstallCallback" | "completeSiteSelection" | "createConnection">,
  emulator: AtlassianEmulator<Clock>,
  script: AtlassianInstallScript,
): Promise<IntegrationSummary> {
  const provider = script.provider ?? "jira";
  const started = await sdk.buildInstallUrl({
    provider,
    user_id: script.user_id,
    account_id: script.account_id,
    ...(script.scopes ? { scopes: script.scopes } : {}),
    ...(script.cloud_id !== undefined ? { cloud_id: script.cloud_id } : {}),
  });
  const back = new URL(await emulator.consent(started.url, script.consent));
  let callback;
  try {
    callback = await sdk.handleInstallCallback({ provider, query: back.searchParams, browser_binding: started.browser_binding });
  } catch (error) {
    if (!SdkError.is(error, "atlassian_site_selection_required") || script.pick === undefined) throw error;
    callback = await sdk.completeSiteSelection({ selection_id: error.details.selection_id as string, cloud_id: script.pick, browser_binding: started.browser_binding });
  }
  return sdk.createConnection(callback.integration);
}
