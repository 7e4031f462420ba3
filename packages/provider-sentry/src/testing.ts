// @sdk/provider-sentry/testing: an in-process emulator of Sentry's integration platform for the SDK's and users' tests.
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
export { installSentry, type InstallSentryInput, type InstallSentryResult } from "./testing/install-sentry.js";
export { startWebhookReceiver, type WebhookDelivery, type WebhookReceiver } from "./testing/start-webhook-receiver.js";
