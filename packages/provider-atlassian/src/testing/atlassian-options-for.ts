// `atlassian(...)` options that point the provider at a running Atlassian emulator, so a test, a demo or a user's CI
// wires the SDK to it in one line. Only origins and app credentials change; every Atlassian path stays production's.
import type { Clock } from "@sdk/oauth/testing";
import type { AtlassianOptions } from "../atlassian-options.js";
import type { AtlassianEmulator } from "./start-atlassian-emulator.js";

/**
 * `atlassian(atlassianOptionsFor(emulator))`: its client, its first callback URL and its endpoints. `overrides`
 * replace any of them (endpoints are merged).
 */
export function atlassianOptionsFor(emulator: AtlassianEmulator<Clock>, overrides: Partial<AtlassianOptions> = {}): AtlassianOptions {
  return {
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    redirectUri: emulator.redirectUris[0]!,
    ...overrides,
    endpoints: { ...emulator.endpoints, ...overrides.endpoints },
  };
}
