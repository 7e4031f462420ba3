// @sdk/oauth public surface: the OAuth 2.0 lifecycle engine and its parts, for provider packages and custom providers.
export { defineOAuthProvider, type OAuthProvider, type OAuthRuntime, type OAuthRuntimeFields } from "./define-oauth-provider.js";
export type { OAuthContext, OAuthEngine } from "./oauth-engine.js";
export { oauthTuningSchema, pickTuning, type OAuthTuning } from "./oauth-tuning.js";
export { chainFields } from "./chain-credentials.js";
export type { OAuthProviderOptions, OAuthClientOptions, OAuthEndpoints, OAuthProviderTuning, OAuthProviderHooks, ChainTokens, PendingInstallHooks } from "./oauth-provider-options.js";
export { MAX_PENDING_INSTALL_SECONDS } from "./pending-install-store.js";
export { signState, verifyState, hashBinding, createBrowserBinding, stateError, type StatePayload, type StateRejectCode, type SignStateInput, type VerifyStateInput } from "./install-state.js";
export { createPkcePair, s256Challenge } from "./pkce.js";
export { TokenClient, rfcError, type ClientAuthMethod, type ErrorMapper, type HttpAnswer, type RetryOptions, type TokenClientOptions } from "./token-client.js";
export { parseRfcTokenResponse, invalidResponse, type TokenFields } from "./token-response.js";
export { decodeCachedToken, effectiveSkewMs, isFresh, MAX_SKEW_FRACTION, plaintextTokenCodec, storeCachedToken, tokenCodec, tokenKey, type CachedToken, type TokenCodec } from "./token-cache.js";
export { withRefreshLock, type LockHold, type RefreshLockOptions } from "./refresh-lock.js";
export { cacheCipher } from "./cache-cipher.js";
export { providerErrorCode } from "./provider-error-code.js";
export { DEFAULT_RESPONSE_LIMITS, type ResponseLimits } from "./read-bounded-body.js";
