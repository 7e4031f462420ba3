// @sdk/provider-sentry: Sentry integration-platform installs (`sentry()`, OAuth) and organization auth tokens
// (`sentryOrgToken()`, static), the Sentry error mapping and the standalone webhook signature check.
export { sentry, type SentryProvider, type SentryEndpoints, type SentryOptions, type SentryRuntime } from "./sentry.js";
export {
  sentryOrgToken,
  type SentryOrgTokenCredentials,
  type SentryOrgTokenKind,
  type SentryOrgTokenMetadata,
  type SentryOrgTokenOptions,
  type SentryOrgTokenRuntime,
} from "./sentry-org-token.js";
export { verifySentrySignature } from "./verify-sentry-signature.js";
export { mapSentryError } from "./map-sentry-error.js";
export { parseSentryTokenResponse } from "./parse-sentry-token-response.js";
export { SENTRY_SAAS_HOSTS } from "./sentry-hosts.js";
