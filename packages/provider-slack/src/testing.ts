// @sdk/provider-slack/testing: an in-process Slack OAuth v2 emulator (token rotation, auth.test, auth.revoke,
// chat.postMessage) for the SDK's own tests and its users' CI, plus helpers that run the provider against it: the
// trio every provider's /testing exports (startSlackEmulator, slackOptionsFor, installSlack) and the refresh trace.
// Nothing here is imported by the provider itself.
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
  type SlackEventDelivery,
  type SlackEventRequest,
  type SlackPostedMessage,
  type SlackWorkspace,
} from "./testing/start-slack-emulator.js";
export { SlackEventSender } from "./testing/slack-event-sender.js";
export { slackOptionsFor } from "./testing/slack-options-for.js";
export { installSlack, type SlackInstallScript } from "./testing/install-slack.js";
export type { SlackEndpoints, SlackProviderOptions } from "./slack-provider-options.js";
export { traceSlackRefreshFlow, type SlackRefreshTrace, type SlackRefreshTraceOptions } from "./testing/trace-slack-refresh-flow.js";
export type { TraceStep } from "./testing/trace-recorder.js";
