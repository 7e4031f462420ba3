// @sdk/oauth/testing: the emulator scaffolding every provider's testing kit builds on, and the generic provider's own
// kit (the same trio every provider's /testing exports): startOAuthEmulator, oauthOptionsFor, installOAuth.
export type { Clock } from "./testing/clock.js";
export { ManualClock } from "./testing/manual-clock.js";
export {
  startEmulatorServer,
  submitForm,
  basicCredentials,
  bearerToken,
  escapeHtml,
  type EmulatorLogEntry,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
  type EmulatorServer,
  type EmulatorServerOptions,
  type Fault,
} from "./testing/emulator-server.js";
export {
  EMULATOR_REDIRECT_URI,
  startOAuthEmulator,
  type OAuthConsentDecision,
  type OAuthEmulator,
  type OAuthEmulatorOptions,
} from "./testing/start-oauth-emulator.js";
export { oauthOptionsFor, type OAuthEmulatorOverrides } from "./testing/oauth-options-for.js";
export { installOAuth, type OAuthInstallScript } from "./testing/install-oauth.js";
export { readCachedToken } from "./testing/read-cached-token.js";
