// One whole Sentry install against the emulator through the SDK's public API, for tests, demos and users' CI:
// install URL -> the external-install page -> callback with Sentry's redirect fields (state included) and the
// browser binding -> createConnection.
import type { IntegrationSummary, SDK } from "@sdk/core";
import type { Clock } from "@sdk/oauth/testing";
import type { SentryConsentDecision, SentryEmulator } from "./start-sentry-emulator.js";

/** What `installSentry` does: who installs, for which customer account, and what the Sentry user picks. */
export interface SentryInstallScript {
  /** Your customer account the integration belongs to. */
  account_id: string;
  /** Your app's user who starts the install. */
  user_id: string;
  /** The provider id registered in the SDK. @default "sentry" */
  provider?: string;
  /** What the Sentry user does on the install page. @default `{ user: user_id }`, the emulator's first organization, approve */
  consent?: SentryConsentDecision;
}

/**
 * `buildInstallUrl`, the emulator's install page, `handleInstallCallback` with the redirect's query (`code`,
 * `installationId`, `orgSlug`, `state`) and the browser binding, then `createConnection`; resolves to the stored
 * integration (its `metadata.installation_id` and `metadata.org_slug` name the installation).
 */
export async function installSentry(sdk: Pick<SDK, "buildInstallUrl" | "handleInstallCallback" | "createConnection">, emulator: SentryEmulator<Clock>, script: SentryInstallScript): Promise<IntegrationSummary> {
  const provider = script.provider ?? "sentry";
  const started = await sdk.buildInstallUrl({ provider, user_id: script.user_id, account_id: script.account_id });
  const redirect = new URL(await emulator.consent(started.url, { user: script.user_id, ...script.consent }));
  if (!redirect.searchParams.get("installationId")) throw new Error(`the Sentry install did not come back to the redirect URL (got ${redirect.origin}${redirect.pathname})`);
  const callback = await sdk.handleInstallCallback({ provider, query: redirect.searchParams, browser_binding: started.browser_binding });
  return sdk.createConnection(callback.integration);
}
