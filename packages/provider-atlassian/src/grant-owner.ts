// The identity rules of an Atlassian grant at each step: install (record who consented, or `misconfigured` when the
// app cannot read /me), save (a grant never replaces another Atlassian user's record), refresh (a 1.x record learns
// its user the first time it can be proven, then joins that user's siblings) and the scope union of an install.
import { SdkError, type Integration, type IntegrationDraft } from "@sdk/core";
import { type ProviderContext } from "@sdk/core/provider-kit";
import type { OAuthContext, TokenClient } from "@sdk/oauth";
import { fetchAtlassianIdentity, grantKeyFor, grantKeyOf, identityOf, IDENTITY_FIELD, isFamilyOf, keyRecordsWithoutGrantKey, listAccountRecords, refusesProfile } from "./atlassian-identity.js";
import { ATLASSIAN_PRODUCTS } from "./atlassian-options.js";

/**
 * At the callback: the Atlassian account that consented. A grant without `read:me`, or a /me that refuses the token,
 * is `misconfigured` (the app must list the User identity API's `read:me`): grouping grants without knowing their
 * user is what mixed two people's tokens.
 */
export async function identifyInstall(client: TokenClient, args: { provider: string; meUrl: string; accessToken: string; grantedScopes: string[] | undefined }): Promise<string> {
  const misconfigured = (status?: number) =>
    new SdkError(
      "misconfigured",
      `The ${args.provider} grant cannot read the consenting user's profile (GET /me${status ? `, HTTP ${status}` : ", read:me not granted"}): add the "User identity API" scope read:me to the app in the Atlassian developer console, then install again. The SDK groups Atlassian integrations by that user.`,
      { details: { provider: args.provider, field: "atlassian.scopes", scope: "read:me", ...(status ? { status } : {}) } },
    );
  if (args.grantedScopes && !args.grantedScopes.includes("read:me")) throw misconfigured();
  try {
    return await fetchAtlassianIdentity(client, { provider: args.provider, url: args.meUrl, accessToken: args.accessToken });
  } catch (error) {
    if (refusesProfile(error)) throw misconfigured(SdkError.is(error) && typeof error.details.status === "number" ? error.details.status : undefined);
    throw error;
  }
}

/** Records written before grant keys that one `buildInstallUrl` gives their key at most (one write each). */
const MAX_KEYED_PER_INSTALL = 50;

/** Atlassian users whose grant families one `buildInstallUrl` reads by key; past it, one read of the account's Atlassian records. */
const MAX_FAMILY_READS = 16;

/**
 * Scope union of an install: the scopes of the records this SDK user connected before and of every record of the
 * Atlassian users behind them. Who will consent is only known after the consent; the SDK user starting the install
 * is the best guess, and records of other Atlassian users of the account never widen the request.
 *
 * Indexed reads, so the cost follows this user's records, not the account's: the user's records by (account,
 * creator), then each Atlassian user's family by (account, grant key). The account's Atlassian records are read
 * instead (as before grant keys) when the keys cannot be trusted yet, i.e. this user holds records written before
 * grant keys (the account predates them and `sdk.backfillNaturalKeys` has not run), or when more than
 * `MAX_FAMILY_READS` Atlassian users are behind this user.
 */
export async function installSiblings(context: ProviderContext, accountId: string, createdBy: string): Promise<Integration[]> {
  const listed = await context.integrations.list({ account_id: accountId, providers: [...ATLASSIAN_PRODUCTS], created_by: createdBy });
  // Never a revoked record (as in every family read); the filter only narrows the read.
  const mine = listed.filter((record) => record.status !== "revoked" && record.created_by === createdBy);
  const identities = new Set(mine.map(identityOf).filter((identity) => identity !== undefined));
  const keyed = mine.every((record) => identityOf(record) === undefined || record.grant_key === grantKeyOf(record));
  let families: Integration[];
  if (keyed && identities.size <= MAX_FAMILY_READS) {
    families = (await Promise.all([...identities].map((identity) => context.integrations.list({ account_id: accountId, grant_key: grantKeyFor(identity) })))).flat();
  } else {
    families = await listAccountRecords(context, accountId);
    // Before the install saves a keyed record of (most likely) one of these users: their records written before grant
    // keys get theirs, so the new record's family lookups (its sync now, every refresh later) and the next install's
    // indexed reads see them. A bounded number per call: this runs on a user's request, and the rest is
    // `sdk.backfillNaturalKeys`' job.
    // Other SDK users' records first, this user's last: while this user's own are unkeyed, the next install reads the
    // account again, so the family is complete in the index before installs stop reading the account.
    const unkeyed = families.filter((record) => identities.has(identityOf(record) ?? "") && record.grant_key !== grantKeyOf(record));
    const ordered = [...unkeyed.filter((record) => record.created_by !== createdBy), ...unkeyed.filter((record) => record.created_by === createdBy)];
    await keyRecordsWithoutGrantKey(context, ordered.slice(0, MAX_KEYED_PER_INSTALL));
  }
  const siblings = new Map(mine.map((record) => [record.id, record]));
  for (const record of families) {
    const identity = identityOf(record);
    if (identity !== undefined && identities.has(identity) && isFamilyOf(record, identity)) siblings.set(record.id, record);
  }
  // Oldest first. The sort is stable: ties (same millisecond) keep the store's order, this user's records first.
  return [...siblings.values()].sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/**
 * Before a save that would update a record in place (same account, product and site): refuse when that record holds
 * another Atlassian user's grant. A 1.x record is first asked who it is (its own token, refreshed if needed, + /me);
 * one that cannot say (grant dead or without `read:me`) is updated, which is how 1.x records move to 2.0.
 * The record looked at is the one the save would update: core's indexed lookup by natural key (the site's cloud_id),
 * so the cost does not grow with the account; a 1.x record without its natural key is not updated in place (until
 * `sdk.backfillNaturalKeys` gives it one) and so needs no guard.
 */
export async function guardGrantOwner(context: OAuthContext, draft: IntegrationDraft, deps: { meUrl: string }): Promise<void> {
  const cloudId = draft.metadata?.cloud_id;
  if (typeof cloudId !== "string") return;
  const [existing] = await context.integrations.list({ account_id: draft.account_id, provider: draft.provider, natural_key: cloudId });
  if (!existing) return;
  const incoming = identityOf({ metadata: draft.metadata ?? {} });
  let current = identityOf(existing);
  if (current === undefined && incoming !== undefined && existing.status === "active") current = await proveIdentity(context, existing, deps);
  if (current === undefined || current === incoming) return;
  throw new SdkError(
    "integration_exists",
    `${draft.provider} on this site is connected for this account by another Atlassian user; a grant never replaces another user's connection. Delete integration "${existing.id}" first (deleteConnection), or connect as the same Atlassian user.`,
    { details: { provider: draft.provider, integration_id: existing.id, field: `metadata.${IDENTITY_FIELD}` } },
  );
}

/** A 1.x record's Atlassian user from its own access token; undefined when it cannot be proven. */
async function proveIdentity(context: OAuthContext, record: Integration, deps: { meUrl: string }): Promise<string | undefined> {
  try {
    const token = await context.engine.token(record);
    const refreshed = await context.integrations.get(record.id);
    const learned = refreshed ? identityOf(refreshed) : undefined;
    if (learned !== undefined) return learned;
    return await fetchAtlassianIdentity(context.engine.http, { provider: record.provider, url: deps.meUrl, accessToken: token.access_token });
  } catch {
    return undefined;
  }
}

/**
 * After a 1.x record's own refresh: its user from /me (when its grant holds `read:me`), written on it and on the 1.x
 * records holding the same refresh token (the same chain, so the same user). From then on they are that user's
 * siblings. Nothing is written when /me refuses: the record stays 1.x and keeps the 1.x lock.
 */
export async function learnIdentity(context: ProviderContext, integration: Integration, args: { client: TokenClient; meUrl: string; accessToken: string }): Promise<void> {
  if (identityOf(integration) !== undefined) return;
  let identity: string;
  try {
    identity = await fetchAtlassianIdentity(args.client, { provider: integration.provider, url: args.meUrl, accessToken: args.accessToken });
  } catch (error) {
    if (refusesProfile(error)) return;
    throw error;
  }
  const fresh = await context.integrations.get(integration.id);
  if (!fresh || identityOf(fresh) !== undefined) return;
  const chain = fresh.credentials.refresh_token;
  const records = await listAccountRecords(context, integration.account_id);
  for (const record of records) {
    if (record.id !== fresh.id && (typeof chain !== "string" || record.credentials.refresh_token !== chain)) continue;
    await setIdentity(context, record.id, identity);
  }
  // The user's records written before grant keys join the index too, or the newly keyed records would not see them.
  await keyRecordsWithoutGrantKey(context, records.filter((record) => identityOf(record) === identity));
}

/** Compare-and-set of the identity on a record that has none yet, re-reading on conflict. */
async function setIdentity(context: ProviderContext, id: string, identity: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await context.integrations.get(id);
    if (!current || identityOf(current) !== undefined) return;
    try {
      // The grant key travels with the identity, so the record is in its user's family index from this write on.
      const metadata = { ...current.metadata, [IDENTITY_FIELD]: identity };
      await context.integrations.update(current, { metadata, grant_key: grantKeyOf({ metadata }) });
      return;
    } catch (error) {
      if (!SdkError.is(error, "integration_conflict")) throw error;
    }
  }
}
