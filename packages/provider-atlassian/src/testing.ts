// @sdk/provider-atlassian/testing: an in-process emulator of Atlassian OAuth 2.0 (3LO) and the API gateway calls the
// SDK makes, for this package's tests and for consumers' CI.
export {
  startAtlassianEmulator,
  type AtlassianEmulator,
  type AtlassianEmulatorOptions,
  type AtlassianEmulatorStats,
  type AtlassianEndpoints,
  type AtlassianProduct,
  type AtlassianSite,
  type AtlassianUser,
  type ConsentDecision,
} from "./testing/start-atlassian-emulator.js";
