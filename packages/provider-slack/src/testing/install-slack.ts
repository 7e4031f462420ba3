// One whole Slack install against the emulator through the SDK's public API, for tests, demos and users' CI:
// install URL -> consent page -> callback (with the browser binding) -> createConnection.
import type { IntegrationSummary, SDK } from "@sdk/core";
import type { Clock } from "@sdk/oauth/testing";
import type { SlackConsentDecision, SlackEmulator } from "./start-slack-emulator.js";

/** What `installSlack` does: who installs, what is requested, what the Slack user picks. */
export interface SlackInstallScript {
  /** Your customer account the integration belongs to. */
  account_id: string;
  /** Your app's user who starts the install. */
  user_id: string;
  /** The provider id registered in the SDK. @default "slack" */
  provider?: string;
  /** Extra bot scopes for this install. */
  scopes?: string[];
  /** Extra user scopes for this install. */
  user_scopes?: string[];
  /** `team` on the authorize URL (pre-selects a workspace). */
  team?: string;
  /** What the Slack user does on the consent page (workspace or org, Slack user id, approve). */
  consent?: SlackConsentDecision;
}

/**
 * One whole install through the SDK's public API: `buildInstallUrl`, the emulator's consent page, `handleInstallCallback`
 * (with the browser binding, as your callback route would pass it from the cookie) and `createConnection`; resolves
 * to the stored integration.
 */
export async function installSlack(sdk: Pick<SDK, "buildInstallUrl" | "handleInstallCallback" | "createConnection">, emulator: SlackEmulator<Clock>, script: SlackInstallScript): Promise<IntegrationSummary> {
  const provider = script.provider ?? "slack";
  const started = await sdk.buildInstallUrl({
    provider,
    user_id: script.user_id,
    account_id: script.account_id,
    ...(script.scopes ? { scopes: script.scopes } : {}),
    ...(script.user_scopes ? { user_scopes: script.user_scopes } : {}),
    ...(script.team ? { team: script.team } : {}),
  });
  const back = new URL(await emulator.consent(started.url, script.consent));
  const callback = await sdk.handleInstallCallback({ provider, query: back.searchParams, browser_binding: started.browser_binding });
  return sdk.createConnection(callback.integration);
}
