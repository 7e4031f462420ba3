// One whole install of a generic OAuth provider against the OAuth emulator through the SDK's public API, for tests,
// demos and benchmarks: install URL -> consent page -> callback (with the browser binding) -> createConnection.
import type { IntegrationSummary, SDK } from "@sdk/core";
import type { Clock } from "./clock.js";
import type { OAuthConsentDecision, OAuthEmulator } from "./start-oauth-emulator.js";

/** What `installOAuth` does: who installs, for which customer account, and what the provider's user decides. */
export interface OAuthInstallScript {
  /** Your customer account the integration belongs to. */
  account_id: string;
  /** Your app's user who starts the install. */
  user_id: string;
  /** The provider id registered in the SDK. @default "acme" (the id `oauthOptionsFor` gives) */
  provider?: string;
  /** Extra scopes for this install. */
  scopes?: string[];
  /** What the user does on the consent page. @default `{ user: user_id, approve: true }` */
  consent?: OAuthConsentDecision;
}

/**
 * `buildInstallUrl`, the emulator's consent page, `handleInstallCallback` (with the browser binding, as your
 * callback route would pass it from the cookie) and `createConnection`; resolves to the stored integration.
 */
export async function installOAuth(sdk: Pick<SDK, "buildInstallUrl" | "handleInstallCallback" | "createConnection">, emulator: OAuthEmulator<Clock>, script: OAuthInstallScript): Promise<IntegrationSummary> {
  const provider = script.provider ?? "acme";
  const started = await sdk.buildInstallUrl({ provider, user_id: script.user_id, account_id: script.account_id, ...(script.scopes ? { scopes: script.scopes } : {}) });
  const back = new URL(await emulator.consent(started.url, { user: script.user_id, ...script.consent }));
  const callback = await sdk.handleInstallCallback({ provider, query: back.searchParams, browser_binding: started.browser_binding });
  return sdk.createConnection(callback.integration);
}
