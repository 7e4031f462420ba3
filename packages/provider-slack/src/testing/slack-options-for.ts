// `slack(...)` options that point the provider at a running Slack emulator, so a test, a demo or a user's CI wires
// the SDK to it in one line. Only origins and app credentials change; every Slack path stays what production uses.
import type { Clock } from "@sdk/oauth/testing";
import type { SlackProviderOptions } from "../slack-provider-options.js";
import type { SlackEmulator } from "./start-slack-emulator.js";

/**
 * `slack(slackOptionsFor(emulator))`: its client, its Signing Secret, its first Redirect URL, its endpoints and the
 * `chat:write` scope. `overrides` replace any of them (endpoints are merged).
 */
export function slackOptionsFor(emulator: SlackEmulator<Clock>, overrides: Partial<SlackProviderOptions> = {}): SlackProviderOptions {
  return {
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    signingSecret: emulator.signingSecret,
    redirectUri: emulator.redirectUris[0]!,
    scopes: ["chat:write"],
    ...overrides,
    endpoints: { ...emulator.endpoints, ...overrides.endpoints },
  };
}
