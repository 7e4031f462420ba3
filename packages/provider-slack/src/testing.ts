// @sdk/provider-slack/testing: an in-process Slack OAuth v2 emulator (token rotation, auth.test, auth.revoke,
// chat.postMessage) for the SDK's own tests and its users' CI. Nothing here is imported by the provider itself.
export {
  startSlackEmulator,
  type SlackChainSnapshot,
  type SlackChannel,
  type SlackConsentDecision,
  type SlackEmulator,
  type SlackEmulatorEndpoints,
  type SlackEmulatorOptions,
  type SlackEmulatorStats,
  type SlackEnterprise,
  type SlackPostedMessage,
  type SlackWorkspace,
} from "./testing/start-slack-emulator.js";
