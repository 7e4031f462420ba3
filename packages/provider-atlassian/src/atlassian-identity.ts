// Who an Atlassian grant belongs to. Atlassian keeps one grant (one refresh-token chain) per *Atlassian user* and
// app, so integrations are grouped by the account id GET /me returns (`metadata.atlassian_account_id`), never by the
// SDK account alone. Owns reading /me and the grant family of a record; it never writes tokens.
import { SdkError, type Integration } from "@sdk/core";
import { lazySchema, type ProviderContext } from "@sdk/core/provider-kit";
import { invalidResponse, type TokenClient } from "@sdk/oauth";
import type { z } from "zod";
import { ATLASSIAN_FAMILY, ATLASSIAN_PRODUCTS } from "./atlassian-options.js";

/** Metadata field holding the Atlassian account id (`/me` `account_id`) of the user whose grant a record holds. */
export const IDENTITY_FIELD = "atlassian_account_id";

/** Atlassian account ids look like `5b10ac8d82e05b22cc7d4ef5` or `557058:f58131cb-b67d-43c7-b30d-6b58d40bd077`. */
export const atlassianAccountIdSchema = lazySchema((z) => z.string().min(1).max(128).regex(/^[A-Za-z0-9:._-]+$/, "must be an Atlassian account id"));

const meSchema = lazySchema((z) => z.looseObject({ account_id: atlassianAccountIdSchema() }));

/** The Atlassian account a record's grant belongs to; undefined for a record written before 2.0 recorded it (1.x). */
export function identityOf(integration: { metadata: Record<string, unknown> }): string | undefined {
  const value = integration.metadata[IDENTITY_FIELD];
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/**
 * The grant key stored on a record of this Atlassian user (`Integration.grant_key`, `atlassian:{account id}`), so the
 * grant family is one indexed `list({ account_id, grant_key })`; null for a 1.x record whose user is not proven yet.
 */
export function grantKeyOf(integration: { metadata: Record<string, unknown> }): string | null {
  const identity = identityOf(integration);
  return identity === undefined ? null : grantKeyFor(identity);
}

/** The grant key of one Atlassian user's records. */
export function grantKeyFor(identity: string): string {
  return `${ATLASSIAN_FAMILY}:${identity}`;
}

/** GET /me with an access token: the Atlassian account id. HTTP refusals come back as the engine's SdkErrors. */
export async function fetchAtlassianIdentity(client: TokenClient, args: { provider: string; url: string; accessToken: string }): Promise<string> {
  const answer = await client.send(args.url, { method: "GET", headers: { accept: "application/json", authorization: `Bearer ${args.accessToken}` } });
  const parsed = meSchema().safeParse(answer.body);
  if (!parsed.success) throw invalidResponse(args.provider, parsed.error.issues[0], "/me response");
  return parsed.data.account_id;
}

/** Whether an error of /me means the token may not read the profile (no `read:me`), not an outage. */
export function refusesProfile(error: unknown): boolean {
  if (!SdkError.is(error)) return false;
  const status = error.details.status;
  return error.code === "invalid_client" || status === 401 || status === 403;
}

/** Every non-revoked Atlassian integration of the SDK account, oldest first. */
export async function listAccountRecords(context: ProviderContext, accountId: string): Promise<Integration[]> {
  const found = await context.integrations.list({ account_id: accountId, providers: [...ATLASSIAN_PRODUCTS] });
  return found.filter((integration) => integration.status !== "revoked");
}

/**
 * The records that share `integration`'s grant (itself included): same SDK account and same Atlassian user. A 1.x
 * record (no identity yet) shares a grant only with 1.x records holding the very same refresh token (one chain, so
 * one user); it is never grouped with a record of a known user until its own identity is proven.
 *
 * A record holding its user's grant key reads that user's records from the store's (account_id, grant_key) index:
 * the cost follows the family, not the number of other Atlassian users in the account. A record without it (1.x, or
 * written before grant keys; `sdk.backfillNaturalKeys` gives those theirs) reads the account's Atlassian records.
 */
export async function listGrantFamily(context: ProviderContext, integration: Integration): Promise<Integration[]> {
  const identity = identityOf(integration);
  const grantKey = grantKeyOf(integration);
  if (identity !== undefined && grantKey !== null && integration.grant_key === grantKey) {
    const family = await context.integrations.list({ account_id: integration.account_id, grant_key: grantKey });
    // The same rules as the account read below: the key only narrows the read, it never widens the family.
    return family.filter((record) => isFamilyOf(record, identity));
  }
  const records = await listAccountRecords(context, integration.account_id);
  if (identity !== undefined) return records.filter((record) => identityOf(record) === identity);
  const token = integration.credentials.refresh_token;
  return records.filter((record) => record.id === integration.id || (identityOf(record) === undefined && typeof token === "string" && record.credentials.refresh_token === token));
}

const isAtlassianProduct = (provider: string): boolean => (ATLASSIAN_PRODUCTS as readonly string[]).includes(provider);

/**
 * Whether a record read through a grant key (or from the account) belongs to the family of the Atlassian user
 * `identity`: an Atlassian product, not revoked, holding that identity. A key only narrows a read; this decides.
 */
export function isFamilyOf(record: Integration, identity: string): boolean {
  return record.status !== "revoked" && isAtlassianProduct(record.provider) && identityOf(record) === identity;
}

/**
 * Gives each of `records` that holds a known user but not that user's grant key (written before grant keys) its key,
 * so that keyed family lookups see it. Callers pass records they read anyway (an install's account read, a 1.x record
 * learning its user): nothing more is read. Best effort: a record that moved meanwhile, or a store failure, leaves it
 * for `sdk.backfillNaturalKeys`, and the caller's operation goes on.
 */
export async function keyRecordsWithoutGrantKey(context: ProviderContext, records: readonly Integration[]): Promise<void> {
  for (const record of records) {
    const grantKey = grantKeyOf(record);
    if (grantKey === null || record.grant_key === grantKey) continue;
    try {
      await context.integrations.assignKeys(record, { grant_key: grantKey });
    } catch (error) {
      context.logger.warn({ provider: record.provider, integration_id: record.id, code: SdkError.is(error) ? error.code : "unknown" }, "could not store the grant key of a record written before grant keys; sdk.backfillNaturalKeys() will");
    }
  }
}

/**
 * The id segment of a family's refresh-lock key: `grant.{url-encoded account id}` per Atlassian user (no `:`, so the
 * 1.x key shape `integration:atlassian:{id}:app_user:{account_id}:refresh_lock` holds), `grant` for 1.x records (the
 * 1.x lock, shared by the account's 1.x records as before).
 */
export function grantLockId(integration: Integration): string {
  const identity = identityOf(integration);
  return identity === undefined ? "grant" : `grant.${encodeURIComponent(identity)}`;
}
