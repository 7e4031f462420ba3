// What ends a credential's use: revoking it at the provider (RFC 7009 at `revokeUrl`, or the provider's `revoke` hook),
// dropping its cached access tokens (`invalidate`: on a 401, on invalidateConnection, on delete), and, when the
// connection is deleted, the rotation journal of a grant no other connection shares.
import type { CacheStore, Integration } from "@sdk/core";
import { chainFields, type ChainCredentials } from "./chain-credentials.js";
import type { GrantSiblings } from "./grant-siblings.js";
import type { EngineSettings } from "./oauth-provider-options.js";
import { RotationJournal } from "./rotation-journal.js";
import { tokenCodec, tokenKey } from "./token-cache.js";
import type { TokenEndpoint } from "./token-endpoint.js";
import type { OAuthContext } from "./oauth-engine.js";

/** What `invalidate` is asked to do; core passes `deleted` from deleteConnection, `rejectedAccessToken` from sdk.fetch. */
export interface InvalidateOptions {
  /** Only drop a cached token that is still this one (a 401 answered to it). */
  rejectedAccessToken?: string;
  /** The connection is being deleted: drop everything the engine keeps for it. */
  deleted?: boolean;
}

export class Revocation {
  readonly #options: Pick<EngineSettings, "revokeUrl" | "revoke">;
  readonly #endpoint: TokenEndpoint;
  readonly #credentials: ChainCredentials;
  readonly #siblings: GrantSiblings;

  constructor(options: Pick<EngineSettings, "revokeUrl" | "revoke">, parts: { endpoint: TokenEndpoint; credentials: ChainCredentials; siblings: GrantSiblings }) {
    this.#options = options;
    this.#endpoint = parts.endpoint;
    this.#credentials = parts.credentials;
    this.#siblings = parts.siblings;
  }

  /** Whether this provider can revoke at all (a `revokeUrl` or a `revoke` hook). */
  get supported(): boolean {
    return Boolean(this.#options.revokeUrl || this.#options.revoke);
  }

  async revoke(context: OAuthContext, integration: Integration): Promise<void> {
    const client = this.#endpoint.client(context);
    if (this.#options.revoke) {
      await this.#options.revoke(context, integration, { send: (url, init) => client.send(url, init) });
      return;
    }
    for (const chain of this.#credentials.chains) {
      const names = chainFields(chain);
      const value = integration.credentials[names.refresh] ?? integration.credentials[names.access];
      if (typeof value !== "string") continue;
      await client.post(this.#options.revokeUrl!, { token: value, token_type_hint: integration.credentials[names.refresh] ? "refresh_token" : "access_token" });
    }
  }

  async invalidate(context: OAuthContext, integration: Integration, options: InvalidateOptions = {}): Promise<void> {
    const cache = context.requireCache();
    for (const chain of this.#credentials.chains) {
      const key = tokenKey(integration, chain);
      if (options.rejectedAccessToken === undefined) {
        await cache.delete(key);
        continue;
      }
      const raw = await cache.get(key);
      if (raw !== undefined && tokenCodec(context).decode(key, raw)?.access_token === options.rejectedAccessToken) await cache.deleteIfEquals(key, raw);
    }
    if (options.deleted) await this.#dropJournals(context, cache, integration);
  }

  /**
   * A journal entry is only left by a refresh whose record write failed (a crash, a store outage). Once the connection
   * is deleted nobody repairs it, so it goes now instead of living out its 7-day TTL, unless a sibling still shares the
   * grant (and the journal) and may need the repair.
   */
  async #dropJournals(context: OAuthContext, cache: CacheStore, integration: Integration): Promise<void> {
    if ((await this.#siblings.of(context, integration)).length > 0) return;
    for (const chain of this.#credentials.chains) await new RotationJournal(context, cache, this.#siblings.lockKey(integration, chain)).delete();
  }
}
