// Cache key formats. The access-token and refresh-lock keys keep the 1.x format so 1.x readers (gateways) still
// find them; every other SDK key lives under a configurable prefix and can never collide with those.

export function accessTokenKey(provider: string, integrationId: string, accountId: string, chain?: string): string {
  const base = `integration:${provider}:${integrationId}:app_user:${accountId}`;
  return chain ? `${base}:${chain}_access_token` : `${base}:access_token`;
}

export function refreshLockKey(provider: string, integrationId: string, accountId: string, chain?: string): string {
  const base = `integration:${provider}:${integrationId}:app_user:${accountId}`;
  return chain ? `${base}:${chain}_refresh_lock` : `${base}:refresh_lock`;
}

/** Key for SDK-internal data (state nonces, PKCE verifiers, site selections) under the configured prefix. */
export function internalKey(prefix: string, kind: string, id: string): string {
  return `${prefix}:${kind}:${id}`;
}
