// deleteConnection(id, { revoke: true }) for Slack: auth.revoke for every token the integration holds, the user token
// first. Rotating chains get a live access token from the engine (a refresh if it expired); static ones use the stored
// token. A token Slack already refuses counts as revoked; any other failure stops the delete so it can be retried.
import { SdkError, type Integration } from "@sdk/core";
import { chainFields, type OAuthContext, type OAuthProviderHooks } from "@sdk/oauth";

/** Slack error codes that mean the token is already unusable: nothing is left to revoke. */
const ALREADY_DEAD = new Set(["invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"]);

async function liveToken(context: OAuthContext, integration: Integration, chain: string): Promise<string | undefined> {
  const names = chainFields(chain);
  const stored = integration.credentials[names.access];
  if (!integration.credentials[names.refresh]) return typeof stored === "string" ? stored : undefined;
  try {
    return (await context.engine.token(integration, chain)).access_token;
  } catch (error) {
    // The refresh token is dead already (needs_reauth, uninstalled): Slack has nothing left to revoke for this chain.
    if (SdkError.is(error, "reauth_required", "integration_revoked")) return undefined;
    throw error;
  }
}

/** The `revoke` hook: a live token of each chain from the engine, then `auth.revoke` at `revokeUrl`. */
export function revokeSlackTokens(revokeUrl: string): NonNullable<OAuthProviderHooks["revoke"]> {
  return async (context, integration, { send }) => {
    for (const chain of ["user", ""]) {
      const token = await liveToken(context, integration, chain);
      if (!token) continue;
      try {
        await send(revokeUrl, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/x-www-form-urlencoded" }, body: "" });
      } catch (error) {
        if (SdkError.is(error) && ALREADY_DEAD.has(String(error.details.provider_error))) continue;
        throw error;
      }
    }
  };
}
