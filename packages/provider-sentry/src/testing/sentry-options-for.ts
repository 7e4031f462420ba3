// Provider options that point `sentry()` / `sentryOrgToken()` at a running emulator, so a test or demo wires the SDK
// to it in one line. Only origins change; every Sentry path stays what production uses.
import type { SentryOptions } from "../sentry.js";
import type { SentryOrgTokenOptions } from "../sentry-org-token.js";
import type { SentryEmulator } from "./start-sentry-emulator.js";

/** `sentry({ ...sentryOptionsFor(emulator), verifyInstall: true })`. */
export function sentryOptionsFor(emulator: SentryEmulator): Pick<SentryOptions, "slug" | "clientId" | "clientSecret" | "endpoints"> {
  return { slug: emulator.slug, clientId: emulator.clientId, clientSecret: emulator.clientSecret, endpoints: { baseUrl: emulator.endpoints.baseUrl, apiBaseUrl: emulator.endpoints.baseUrl } };
}

/** `sentryOrgToken(sentryOrgTokenOptionsFor(emulator))`. */
export function sentryOrgTokenOptionsFor(emulator: SentryEmulator): Pick<SentryOrgTokenOptions, "endpoints"> {
  return { endpoints: { apiBaseUrl: emulator.endpoints.baseUrl } };
}
