// @sdk/provider-sentry/testing: an in-process emulator of Sentry's integration platform for the SDK's and users' tests,
// with the trio every provider's /testing exports (startSentryEmulator, sentryOptionsFor, installSentry), the org-token
// options and a webhook receiver.
export {
  startSentryEmulator,
  type SentryConsentDecision,
  type SentryEmulator,
  type SentryEmulatorEndpoints,
  type SentryEmulatorOptions,
  type SentryEmulatorStats,
  type SentryInstallationSnapshot,
  type SentryOrganization,
  type SentryWebhookInput,
} from "./testing/start-sentry-emulator.js";
export { sentryOptionsFor, sentryOrgTokenOptionsFor } from "./testing/sentry-options-for.js";
export { installSentry, type SentryInstallScript } from "./testing/install-sentry.js";
export type { SentryEndpoints, SentryOptions } from "./sentry.js";
export type { SentryOrgTokenOptions } from "./sentry-org-token.js";
export { startWebhookReceiver, type WebhookDelivery, type WebhookReceiver } from "./testing/start-webhook-receiver.js";
