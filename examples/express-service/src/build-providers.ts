// The providers this service registers, from its configuration: the real providers with the client ids and secrets
// from the environment, or, in dev mode, the same factories pointed at the in-process emulators (`endpoints`).
import type { ProviderInput } from "@sdk/core";
import { atlassian } from "@sdk/provider-atlassian";
import { sentry } from "@sdk/provider-sentry";
import { slack } from "@sdk/provider-slack";
import { ATLASSIAN_PRODUCTS, callbackUrl, SENTRY, SLACK, type ConnectableProvider } from "./connectable-provider.js";
import type { ServiceConfig } from "./service-config.js";
import type { DevEmulators } from "./start-dev-emulators.js";

export interface ServiceProviders {
  providers: ProviderInput[];
  connectable: ConnectableProvider[];
  /** Origins of the install pages the Connect forms redirect to. */
  installOrigins: string[];
}

export function buildProviders(config: ServiceConfig, publicUrl: string, emulators: DevEmulators | undefined): ServiceProviders {
  const providers: ProviderInput[] = [];
  const connectable: ConnectableProvider[] = [];
  const installOrigins: string[] = [];
  const atlassianApp = emulators?.providerOptions.atlassian ?? config.atlassian;
  if (atlassianApp) {
    providers.push(atlassian({ ...atlassianApp, redirectUri: callbackUrl(publicUrl, "atlassian") }));
    connectable.push(...ATLASSIAN_PRODUCTS);
    installOrigins.push(emulators?.atlassian.url ?? "https://auth.atlassian.com");
  }
  const slackApp = emulators?.providerOptions.slack ?? config.slack;
  if (slackApp) {
    providers.push(slack({ ...slackApp, redirectUri: callbackUrl(publicUrl, "slack"), scopes: config.slack?.scopes ?? ["chat:write"] }));
    connectable.push(SLACK);
    installOrigins.push(emulators?.slack.url ?? "https://slack.com");
  }
  // Sentry takes the redirect URL from the app's settings page: set it to `${publicUrl}/callback/sentry` there.
  // Installs started in Sentry's integration directory come back without state: they wait for the user to confirm
  // them on the service's confirmation page (POST /callback/sentry/pending).
  const sentryApp = emulators?.providerOptions.sentry ?? config.sentry;
  if (sentryApp) {
    providers.push(sentry({ ...sentryApp, providerStartedInstalls: "pending" }));
    connectable.push(SENTRY);
    installOrigins.push(emulators?.sentry.url ?? "https://sentry.io");
  }
  return { providers, connectable, installOrigins };
}
