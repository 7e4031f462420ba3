// Integrations that share one grant (Atlassian jira/jsm/confluence of one Atlassian user): one refresh lock per grant,
// every rotated refresh token copied to all of them, `needs_reauth` together. A provider without `grantSiblings` has
// no siblings: its lock is per integration and every step here is a no-op for it.
import { recordNeedsReauth } from "./oauth-telemetry.js";
import { type Integration } from "@sdk/core";
import { refreshLockKey } from "@sdk/core/provider-kit";
import { compareAndSet } from "./compare-and-set.js";
import type { CredentialChange } from "./chain-credentials.js";
import type { EngineSettings } from "./oauth-provider-options.js";
import type { OAuthContext } from "./oauth-engine.js";

type SiblingOptions = Pick<EngineSettings, "family" | "grantSiblings" | "grantLockId">;

export class GrantSiblings {
  readonly #options: SiblingOptions;
  /** Drops the cached access tokens of an integration (Revocation.invalidate). */
  readonly #invalidate: (context: OAuthContext, integration: Integration) => Promise<void>;

  constructor(options: SiblingOptions, invalidate: (context: OAuthContext, integration: Integration) => Promise<void>) {
    this.#options = options;
    this.#invalidate = invalidate;
  }

  /** The refresh-lock key of a chain: siblings share one grant, so they share one lock (never two refreshes of one chain at once). */
  lockKey(integration: Integration, chain: string): string {
    const { family, grantSiblings, grantLockId } = this.#options;
    if (grantSiblings && family) return refreshLockKey(family, grantLockId?.(integration) ?? "grant", integration.account_id, chain || undefined);
    return refreshLockKey(integration.provider, integration.id, integration.account_id, chain || undefined);
  }

  /** The other integrations sharing this one's grant (none without a `grantSiblings` hook). */
  async of(context: OAuthContext, integration: Integration): Promise<Integration[]> {
    if (!this.#options.grantSiblings) return [];
    return (await this.#options.grantSiblings(context, integration)).filter((sibling) => sibling.id !== integration.id);
  }

  /** Applies `change` to every sibling with a compare-and-set each (the integration itself is written by the caller). */
  async sync(context: OAuthContext, integration: Integration, change: (sibling: Integration) => CredentialChange): Promise<void> {
    for (const sibling of await this.of(context, integration)) await compareAndSet(context, sibling.id, change);
  }

  /**
   * Marks the integration and its grant siblings `needs_reauth`. With `rejected`, nothing is marked when the record
   * no longer holds the rejected refresh token: a re-install stored (and synced to siblings) a new grant meanwhile.
   * Otherwise the grant is gone for every sibling that shares it (Atlassian revokes the whole family).
   */
  async markNeedsReauth(context: OAuthContext, integration: Integration, reason: string, rejected?: { field: string; value: string }): Promise<void> {
    if (rejected) {
      const current = await context.integrations.get(integration.id);
      if (!current || current.credentials[rejected.field] !== rejected.value) return;
    }
    for (const target of [integration, ...(await this.of(context, integration))]) {
      let marked = false;
      await compareAndSet(context, target.id, (current) => {
        marked = current.status === "active";
        return marked ? { status: "needs_reauth" } : undefined;
      });
      if (!marked) continue;
      await this.#invalidate(context, target);
      context.events.emit("connection.needs_reauth", { provider: target.provider, integration_id: target.id, account_id: target.account_id, reason });
      recordNeedsReauth(target.provider);
    }
  }
}
