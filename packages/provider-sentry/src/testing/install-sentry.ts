// The whole browser round trip of a Sentry install against the emulator: buildInstallUrl, the consent page, and
// the callback with Sentry's redirect fields (state included) and the cookie (browser binding). The caller still
// calls createConnection.
import type { InstallCallbackResult, SDK } from "@sdk/core";
import type { SentryEmulator } from "./start-sentry-emulator.js";

export interface InstallSentryInput {
  /** Passed to buildInstallUrl and used as the Sentry user on the consent page. */
  user_id: string;
  /** Passed to buildInstallUrl. */
  account_id: string;
  /** Organization picked on the consent page. @default the emulator's first organization */
  org?: string;
  /** @default "sentry" */
  provider?: string;
}

export interface InstallSentryResult<Id extends string = string> extends InstallCallbackResult<Id> {
  installationId: string;
  orgSlug: string;
  /** The URL Sentry redirected the browser to (it carries the single-use code). */
  redirect: URL;
}

/** Installs the app into an emulated organization through the SDK and returns the callback's integration. */
export async function installSentry<const Id extends string = "sentry">(
  sdk: Pick<SDK, "buildInstallUrl" | "handleInstallCallback">,
  emulator: SentryEmulator,
  input: InstallSentryInput & { provider?: Id },
): Promise<InstallSentryResult<Id>> {
  const provider = input.provider ?? "sentry";
  const started = await sdk.buildInstallUrl({ provider, user_id: input.user_id, account_id: input.account_id });
  const redirect = new URL(await emulator.consent(started.url, { user: input.user_id, ...(input.org ? { org: input.org } : {}) }));
  const installationId = redirect.searchParams.get("installationId");
  const orgSlug = redirect.searchParams.get("orgSlug");
  if (!installationId || !orgSlug) throw new Error(`the Sentry install did not come back to the redirect URL (got ${redirect.origin}${redirect.pathname})`);
  const callback = await sdk.handleInstallCallback({
    provider,
    code: redirect.searchParams.get("code") ?? undefined,
    installationId,
    orgSlug,
    state: redirect.searchParams.get("state") ?? undefined,
    browser_binding: started.browser_binding,
  });
  // The draft's provider is the one installed: typed so a typed SDK's createConnection takes it as it is.
  return { ...callback, integration: callback.integration as InstallSentryResult<Id>["integration"], installationId, orgSlug, redirect };
}
