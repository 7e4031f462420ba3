// @sdk/oauth/testing: the emulator scaffolding every provider's testing kit builds on, and a fake RFC 6749 server.
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
export { startOAuthServer, type OAuthServer, type OAuthServerOptions } from "./testing/start-oauth-server.js";
export { readCachedToken } from "./testing/read-cached-token.js";
