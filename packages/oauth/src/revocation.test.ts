// Revocation alone and through deleteConnection: invalidate drops cached tokens (only the rejected one when told), and
// deleting a connection drops the rotation journal a failed refresh write left, unless a sibling still shares the grant.
import { MemoryCache, MemoryStore, type Integration } from "@sdk/core";
import { type ProviderContext } from "@sdk/core/provider-kit";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../test/harness.js";
import { beforeEachUpdate, recordingJournalKeys } from "../test/intercepting-stores.js";
import { partContext } from "../test/provider-context.js";
import { ChainCredentials } from "./chain-credentials.js";
import { GrantSiblings } from "./grant-siblings.js";
import { Revocation } from "./revocation.js";
import { RotationJournal } from "./rotation-journal.js";
import { storeCachedToken, tokenCodec, tokenKey } from "./token-cache.js";
import { TokenEndpoint } from "./token-endpoint.js";
import { ManualClock } from "./testing/manual-clock.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function revocationFor(siblings: GrantSiblings): Revocation {
  const options = { id: "acme", clientId: "c", redirectUri: "https://app.test/cb", authorizeUrl: "https://auth.test/a", tokenUrl: "https://auth.test/t" };
  return new Revocation({}, { endpoint: new TokenEndpoint(options, "secret"), credentials: new ChainCredentials({ id: "acme", chains: ["user"] }), siblings });
}

describe("Revocation", () => {
  it("drops every chain's cached token, or only a token that is still the rejected one", async () => {
    const { context, seed, cache } = partContext();
    const record = await seed();
    const revocation = revocationFor(new GrantSiblings({}, async () => undefined));
    const cacheToken = (chain: string, access: string) => storeCachedToken(cache, tokenKey(record, chain), { access_token: access, token_type: "Bearer", expires_at: context.now() + 3600_000, scopes: [] }, context.now(), 0, tokenCodec(context));
    await cacheToken("", "a1");
    await cacheToken("user", "u1");
    await revocation.invalidate(context, record, { rejectedAccessToken: "not-cached" });
    expect(await cache.get(tokenKey(record, ""))).toBeDefined();
    await revocation.invalidate(context, record, { rejectedAccessToken: "a1" });
    expect(await cache.get(tokenKey(record, ""))).toBeUndefined();
    expect(await cache.get(tokenKey(record, "user"))).toBeDefined();
    await revocation.invalidate(context, record);
    expect(await cache.get(tokenKey(record, "user"))).toBeUndefined();
  });

  it("on delete drops the journal of a grant nobody else holds, and keeps one a sibling still shares", async () => {
    const { context, seed, cache } = partContext();
    const listFamily = (ctx: ProviderContext, integration: Integration) => ctx.integrations.list({ account_id: integration.account_id });
    const siblings = new GrantSiblings({ family: "f", grantSiblings: listFamily }, async () => undefined);
    const revocation = revocationFor(siblings);
    const first = await seed();
    const second = await seed({ provider: "acme2" });
    const journal = new RotationJournal(context, cache, siblings.lockKey(first, ""));
    await journal.write("old", "new");
    await revocation.invalidate(context, first, { deleted: true });
    expect(await cache.get(journal.key), "the sibling may still need the repair").toBeDefined();
    await revocation.invalidate(context, second);
    expect(await cache.get(journal.key), "a plain invalidate never drops the journal").toBeDefined();
    await context.integrations.delete(first.id);
    await revocation.invalidate(context, second, { deleted: true });
    expect(await cache.get(journal.key)).toBeUndefined();
  });
});

describe("deleteConnection after a refresh whose record write failed", () => {
  it("drops the rotation journal the failed write left behind", async () => {
    const clock = new ManualClock();
    const memoryStore = new MemoryStore();
    const memoryCache = new MemoryCache({ now: clock.now });
    let failUpdatesOf: string | undefined;
    // While armed, updates of one record fail as in a store outage.
    const store = beforeEachUpdate(memoryStore, (id) => {
      if (id === failUpdatesOf) throw new Error("store down");
    });
    const journalKeys = new Set<string>();
    const cache = recordingJournalKeys(memoryCache, journalKeys);
    // A short lease so keep-saving gives up quickly (it retries the write in real time until shortly before the lease ends).
    const h = (harness = await startHarness({ clock, store, cache, provider: { lockLeaseMs: 3000, timeoutMs: 1000 } }));
    const { integrationId } = await h.install();
    h.clock.advance(3600 * 1000);
    failUpdatesOf = integrationId;

    await expect(h.sdk.resolveConnection(integrationId)).rejects.toMatchObject({ code: "store_unavailable" });
    for (let waited = 0; waited < 10_000 && !h.lines.some((line) => line.level === "error"); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.lines.map((line) => line.message)).toContain("could not store a rotated refresh token before the refresh lock's lease ended; the next refresh presents the previous one, which works only within the provider's reuse window");
    expect(journalKeys.size).toBe(1);
    const [journalKey] = [...journalKeys];
    expect(await memoryCache.get(journalKey!), "the failed write leaves the journal for the next holder").toBeDefined();

    failUpdatesOf = undefined;
    await h.sdk.deleteConnection(integrationId);
    expect(await memoryStore.get(integrationId)).toBeUndefined();
    expect(await memoryCache.get(journalKey!)).toBeUndefined();
  });
});
