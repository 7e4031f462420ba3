// What `sdk.tokenSource(id)` hands to API clients that run their own HTTP stack and take a bearer-token callback
// pair (jira.js 6 / confluence.js 3 `getToken` + `getAuthOn401`): the connection's token, and a way to replace a
// token the API refused. The manager supplies the two steps; this file owns the pair's bookkeeping.
import { SdkError } from "./sdk-error.js";
import type { Runtime } from "./provider.js";

/** A connection's access token as a callback pair, for API clients that take `getToken` and an on-401 hook. */
export interface TokenSource {
  /** The connection's current access token: cached, refreshed when due, as `resolveConnection` gives it. */
  getToken(): Promise<string>;
  /**
   * For the client's 401 hook: the API refused `refused` (by default the token this source returned last). The
   * token is dropped from the cache, unless another caller already replaced it, and the next one is returned. At most
   * one refresh per refused token: when the refused token itself came from such a refresh, a refresh cannot cure
   * the refusal (a missing scope, a revoked app) and the current token is returned as it is.
   */
  onUnauthorized(refused?: string): Promise<string>;
}

/** The pair over the manager's two steps: resolve the runtime, and resolve it again after a refusal of a token. */
export function createTokenSource(resolve: () => Promise<Runtime>, afterRefusal: (refused: string | undefined) => Promise<Runtime>): TokenSource {
  let last: string | undefined;
  const tokenOf = (runtime: Runtime): string => {
    if (typeof runtime.access_token !== "string" || runtime.access_token === "") {
      throw new SdkError("unsupported_operation", `Provider "${runtime.provider}" gives no access_token; use sdk.fetcher(id) or resolveConnection(id).headers.`, {
        details: { provider: runtime.provider, integration_id: runtime.integration_id },
      });
    }
    last = runtime.access_token;
    return last;
  };
  return {
    getToken: async () => tokenOf(await resolve()),
    onUnauthorized: async (refused) => {
      if (refused !== undefined && (typeof refused !== "string" || refused === "")) {
        throw new SdkError("validation_failed", `"tokenSource.onUnauthorized.refused" must be the refused token (a non-empty string) or omitted.`, {
          details: { field: "tokenSource.onUnauthorized.refused" },
        });
      }
      return tokenOf(await afterRefusal(refused ?? last));
    },
  };
}
