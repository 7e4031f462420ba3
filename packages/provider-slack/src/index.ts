// @sdk/provider-slack: Slack OAuth v2 (bot and user tokens, token rotation) for the integration SDK.
export { slack, type SlackProvider } from "./slack.js";
export { findSlackConnection, slackConnectionKey, type SlackConnectionQuery } from "./find-slack-connection.js";
export { SLACK_ENDPOINTS, type SlackEndpoints, type SlackProviderOptions } from "./slack-provider-options.js";
export type { SlackRuntime, SlackRuntimeFields } from "./slack-runtime.js";
export type { SlackInstallMetadata } from "./slack-install-metadata.js";
export { SLACK_ERRORS, mapSlackError, type SlackErrorMapping } from "./map-slack-error.js";
