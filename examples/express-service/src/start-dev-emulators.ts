// Dev mode: the Atlassian (two sites, so the site picker shows), Slack and Sentry emulators from the providers'
// testing kits, started in this process on 127.0.0.1, with the service's callback URLs registered as their redirect
// URIs. Loaded with a dynamic import by start-service, so production never loads a testing kit.
import type { Clock } from "@sdk/oauth/testing";
import type { AtlassianOptions } from "@sdk/provider-atlassian";
import { startAtlassianEmulator, type AtlassianEmulator, type AtlassianSite } from "@sdk/provider-atlassian/testing";
import type { SentryOptions } from "@sdk/provider-sentry";
import { sentryOptionsFor, startSentryEmulator, type SentryEmulator } from "@sdk/provider-sentry/testing";
import type { SlackProviderOptions } from "@sdk/provider-slack";
import { startSlackEmulator, type SlackEmulator } from "@sdk/provider-slack/testing";
import { callbackUrl } from "./connectable-provider.js";

export const DEV_ATLASSIAN_SITES: AtlassianSite[] = [
  { id: "11111111-1111-4111-8111-111111111111", name: "acme", url: "https://acme.atlassian.net", products: ["jira", "jsm", "confluence"] },
  { id: "22222222-2222-4222-8222-222222222222", name: "globex", url: "https://globex.atlassian.net", products: ["jira", "confluence"] },
];

export interface DevEmulators {
  atlassian: AtlassianEmulator<Clock>;
  slack: SlackEmulator<Clock>;
  sentry: SentryEmulator<Clock>;
  /** Spread into `atlassian()`, `slack()`, `sentry()`: client credentials and endpoints of each emulator. */
  providerOptions: {
    atlassian: Pick<AtlassianOptions, "clientId" | "clientSecret" | "endpoints">;
    slack: Pick<SlackProviderOptions, "clientId" | "clientSecret" | "endpoints">;
    sentry: Pick<SentryOptions, "slug" | "clientId" | "clientSecret" | "endpoints">;
  };
  close(): Promise<void>;
}

/** Sentry lets an organization install an app once, so dev mode offers a few. */
export const DEV_SENTRY_ORGANIZATIONS = [
  { slug: "acme", name: "Acme" },
  { slug: "globex", name: "Globex" },
  { slug: "initech", name: "Initech" },
];

export async function startDevEmulators(publicUrl: string): Promise<DevEmulators> {
  // Real time: a running service needs codes, states and tokens to expire as they would at the provider.
  const clock: Clock = { now: () => Date.now() };
  const atlassian = await startAtlassianEmulator({ clock, sites: DEV_ATLASSIAN_SITES, redirectUris: [callbackUrl(publicUrl, "atlassian")] });
  const slack = await startSlackEmulator({ clock, redirectUris: [callbackUrl(publicUrl, "slack")] });
  const sentry = await startSentryEmulator({ clock, redirectUrl: callbackUrl(publicUrl, "sentry"), organizations: DEV_SENTRY_ORGANIZATIONS });
  return {
    atlassian,
    slack,
    sentry,
    providerOptions: {
      atlassian: { clientId: atlassian.clientId, clientSecret: atlassian.clientSecret, endpoints: atlassian.endpoints },
      slack: { clientId: slack.clientId, clientSecret: slack.clientSecret, endpoints: slack.endpoints },
      sentry: sentryOptionsFor(sentry),
    },
    close: async () => void (await Promise.all([atlassian.close(), slack.close(), sentry.close()])),
  };
}
