// Walk-through: Sentry on the local Sentry emulator — an integration-platform install (the signed state on the
// install URL, copied by Sentry into its redirect), 8 h tokens refreshed with delete-on-use rotation, sdk.fetch to
// the org's projects, a signed uninstall webhook that marks the integration revoked; then an internal-integration
// token connection.
import { sentry, sentryOrgToken } from "@sdk/provider-sentry";
import { installSentry, sentryOptionsFor, sentryOrgTokenOptionsFor, startSentryEmulator, startWebhookReceiver, type SentryEmulator } from "@sdk/provider-sentry/testing";
import { mask } from "../trace.js";
import type { Step } from "./step.js";

let emulator: SentryEmulator | undefined;

export const sentryStep: Step = {
  title: "Sentry: app install, delete-on-use rotation, projects, uninstall webhook, org token (Sentry emulator)",
  proves: "Sentry kills an old token the moment it is refreshed, so a second refresh would break the connection: the SDK refreshes exactly once. Sentry's uninstall notice is checked for its signature before it revokes the connection, and Sentry's plain tokens work like API keys.",
  async setup(_api, clock) {
    emulator = await startSentryEmulator({ clock, redirectUrl: "http://localhost:3000/callback/sentry", organizations: [{ slug: "demo-org", name: "Demo Org" }] });
    return {
      providers: [sentry(sentryOptionsFor(emulator)), sentryOrgToken(sentryOrgTokenOptionsFor(emulator))],
      teardown: () => emulator!.close(),
    };
  },
  async run({ sdk, trace, clock }) {
    const sentryEmulator = emulator!;
    const saved = await installSentry(sdk, sentryEmulator, { user_id: "user-demo", account_id: "acct-demo", consent: { org: "demo-org" } });
    const installationId = String(saved.metadata.installation_id);
    trace.step("install + callback + createConnection", `installation ${installationId.slice(0, 8)}… in ${saved.metadata.org_slug}; state came back on Sentry's redirect, checked with the binding cookie; natural key ${saved.natural_key?.slice(0, 20)}…`);

    const first = await sdk.resolveConnection(saved.id);
    clock.advance(8 * 3600 * 1000);
    const second = await sdk.resolveConnection(saved.id);
    trace.step("clock +8h, resolve", `${mask(first.access_token as string)} -> ${mask(second.access_token as string)}; refreshes: ${sentryEmulator.stats.refreshes} (the old token died at once, one refresh by construction)`);

    const projects = await sdk.fetch(saved.id, "/api/0/organizations/demo-org/projects/");
    const listed = (await projects.json()) as Array<{ slug?: string }>;
    trace.step("sdk.fetch projects", `${projects.status} ${listed.map((project) => project.slug).join(", ")}`);

    const receiver = await startWebhookReceiver(sdk);
    try {
      const status = await sentryEmulator.sendInstallationWebhook(receiver.url, { action: "deleted", installationId });
      const connection = await sdk.getConnection(saved.id);
      trace.step("uninstall webhook", `${status}; signature verified, integration now ${connection.status}`, "a webhook is a call from the provider to your service; only one signed with the app's secret is believed.");
    } finally {
      await receiver.close();
    }

    const orgToken = sentryEmulator.createInternalIntegrationToken("demo-org");
    const tokenConnection = await sdk.createConnection({ provider: "sentry-org-token", account_id: "acct-demo", created_by: "user-demo", credentials: { token: orgToken }, metadata: { org_slug: "demo-org" } });
    const viaToken = await sdk.fetch(tokenConnection.id, "/api/0/organizations/demo-org/projects/");
    trace.step("internal-integration token", `${mask(orgToken)} -> projects ${viaToken.status}, no OAuth, no refresh`);
    await sdk.deleteConnection(tokenConnection.id);
    await sdk.deleteConnection(saved.id);
  },
};
