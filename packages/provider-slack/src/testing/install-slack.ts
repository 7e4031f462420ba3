// Runs the Slack provider end to end against the emulator in a few lines, for tests, demos and users' CI: provider
// options pointing at the emulator, and a whole install (install URL -> consent page -> callback -> createConnection).
import type { IntegrationSummary, SDK } from "@sdk/core";
import type { SlackProviderOptions } from "../slack-provider-options.js";
import type { SlackConsentDecision, SlackEmulator } from "./start-slack-emulator.js";

/** `slack(...)` options that point at `emulator`: its client, its Signing Secret, its first Redirect URL and its endpoints. */
export function slackOptionsFor(emulator: SlackEmulator, overrides: Partial<SlackProviderOptions> = {}): SlackProviderOptions {
  return {
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    signingSecret: emulator.signingSecret,
    redirectUri: emulator.redirectUrls[0]!,
    scopes: ["chat:write"],
    ...overrides,
    endpoints: { ...emulator.endpoints, ...overrides.endpoints },
  };
}

/** What `installSlack` does: who installs, what is requested, what the Slack user picks. */
export interface SlackInstallScript {
  /** Your customer account the integration belongs to. */
  account_id: string;
  /** Your app's user who starts the install. */
  user_id: string;
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
 * (with the browser binding, as your callback route would pass it from the cookie) and `createConnection`.
 */
export async function installSlack(sdk: SDK, emulator: SlackEmulator, script: SlackInstallScript): Promise<IntegrationSummary> {
  const started = await sdk.buildInstallUrl({
    provider: "slack",
    user_id: script.user_id,
    account_id: script.account_id,
    ...(script.scopes ? { scopes: script.scopes } : {}),
    ...(script.user_scopes ? { user_scopes: script.user_scopes } : {}),
    ...(script.team ? { team: script.team } : {}),
  });
  const back = new URL(await emulator.consent(started.url, script.consent));
  const callback = await sdk.handleInstallCallback({
    provider: "slack",
    code: back.searchParams.get("code") ?? undefined,
    state: back.searchParams.get("state") ?? undefined,
    error: back.searchParams.get("error") ?? undefined,
    browser_binding: started.browser_binding,
  });
  return sdk.createConnection(callback.integration);
}
