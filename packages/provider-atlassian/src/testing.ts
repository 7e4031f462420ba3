// @sdk/provider-atlassian/testing: an in-process emulator of Atlassian OAuth 2.0 (3LO) and the API gateway calls the
// SDK makes with the trio every provider's /testing exports (startAtlassianEmulator, atlassianOptionsFor,
// installAtlassian), a sandbox that wires it to an SDK, and the lifecycle rollout check, for this package's tests,
// demos and consumers' CI.
export {
  startAtlassianEmulator,
  type AtlassianEmulator,
  type AtlassianEmulatorOptions,
  type AtlassianEmulatorStats,
  type AtlassianEndpoints,
  type AtlassianProduct,
  type AtlassianSite,
  type AtlassianUser,
  type AtlassianConsentDecision,
} from "./testing/start-atlassian-emulator.js";
export { atlassianOptionsFor } from "./testing/atlassian-options-for.js";
export { installAtlassian, type AtlassianInstallScript } from "./testing/install-atlassian.js";
export {
  startAtlassianSandbox,
  SANDBOX_REDIRECT_URI,
  SANDBOX_STATE_SECRETS,
  type AtlassianSandbox,
  type AtlassianSandboxOptions,
  type ConnectInput,
} from "./testing/start-atlassian-sandbox.js";
export type { AtlassianEndpointOverrides, AtlassianOptions } from "./atlassian-options.js";
export { runAtlassianLifecycle, redact, fingerprint, type LifecycleStep, type LifecycleTrace } from "./testing/run-atlassian-lifecycle.js";
