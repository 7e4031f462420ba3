// Provider options that point `sentry()` / `sentryOrgToken()` at a running emulator, so a test or demo wires the SDK
// to it in one line. Only origins and app credentials change; every Sentry path stays what production uses.
import type { Clock } from "@sdk/oauth/testing";
import type { SentryOptions } from "../sentry.js";
import type { SentryOrgTokenOptions } from "../sentry-org-token.js";
import type { SentryEmulator } from "./start-sentry-emulator.js";

/**
 * `sentry(sentryOptionsFor(emulator, { verifyInstall: true }))`: the app's slug and client, the emulator's origin as
 * Sentry's and as the API's. `overrides` replace any of them (endpoints are merged).
 */
export function sentryOptionsFor(emulator: SentryEmulator<Clock>, overrides: Partial<SentryOptions> = {}): SentryOptions {
  return {
    slug: emulator.slug,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    ...overrides,
    endpoints: { baseUrl: emulator.endpoints.baseUrl, apiBaseUrl: emulator.endpoints.baseUrl, ...overrides.endpoints },
  };
}

/** `sentryOrgToken(sentryOrgTokenOptionsFor(emulator))`. */
export function sentryOrgTokenOptionsFor(emulator: SentryEmulator<Clock>): Pick<SentryOrgTokenOptions, "endpoints"> {
  return { endpoints: { apiBaseUrl: emulator.endpoints.baseUrl } };
}
