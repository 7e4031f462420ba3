// The grant family read by its index: a rotating refresh lists its Atlassian user's records by (account_id,
// grant_key), and an install its SDK user's records by (account_id, created_by), never the other Atlassian users of
// the account; records written before grant keys are still found (the account read) until `sdk.backfillNaturalKeys`
// gives them their key.
import { MemoryStore, type Integration, type PersistentStore } from "@sdk/core";
import type { IntegrationFilter } from "@sdk/core/provider-kit";
import { describe, expect, it } from "vitest";
import { sandboxes } from "../test/sandboxes.js";

const KEY = { id: "k1", key: Buffer.alloc(32, 9).toString("base64") };
const ALICE = "557058:alice-0000";
const start = sandboxes({ encryption: [KEY] });

/** A real MemoryStore that notes every `list` filter and how many records it answered. */
function listedStore(): { store: PersistentStore; memory: MemoryStore; lists: Array<{ filter: IntegrationFilter; found: number }> } {
  const memory = new MemoryStore();
  const lists: Array<{ filter: IntegrationFilter; found: number }> = [];
  const store: PersistentStore = {
    get: memory.get.bind(memory),
    create: memory.create.bind(memory),
    update: memory.update.bind(memory),
    delete: memory.delete.bind(memory),
    scan: memory.scan.bind(memory),
    list: async (filter) => {
      const found = await memory.list(filter);
      lists.push({ filter, found: found.length });
      return found;
    },
  };
  return { store, memory, lists };
}

/** `count` Jira records of other Atlassian users in `accountId`, each holding its own user's grant key (as 2.0 writes them). */
/** As a 2.0 build before grant keys wrote them: the identity in metadata, no grant_key (the idle clock kept). */
async function dropGrantKeys(memory: MemoryStore, ids: string[]): Promise<void> {
  for (const id of ids) {
    const record = (await memory.get(id))!;
    await memory.update(id, { grant_key: null, updated_at: record.updated_at }, { expectedVersion: record.version });
  }
}

async function otherUsers(memory: MemoryStore, accountId: string, count: number, template: Integration): Promise<void> {
  for (let index = 0; index < count; index++) {
    const user = `5b10other${String(index).padStart(15, "0")}`;
    await memory.create({
      ...template,
      id: `other-${index}`,
      version: 1,
      natural_key: `cloud-other-${index}`,
      metadata: { ...template.metadata, cloud_id: `cloud-other-${index}`, atlassian_account_id: user },
      grant_key: `atlassian:${user}`,
    });
  }
}

describe("Atlassian grant family by index", () => {
  it("a rotating refresh reads only its user's records, however many other Atlassian users the account holds", async () => {
    const { store, memory, lists } = listedStore();
    const s = await start({ store, emulator: { users: [{ accountId: ALICE }] } });
    const jira = await s.connect({ product: "jira", atlassianUser: ALICE });
    const confluence = await s.connect({ product: "confluence", atlassianUser: ALICE });
    expect(jira.grant_key).toBe(`atlassian:${ALICE}`);
    expect(confluence.grant_key).toBe(`atlassian:${ALICE}`);
    await otherUsers(memory, "acct-1", 200, (await memory.get(jira.id))!);

    lists.length = 0;
    const before = await s.refreshTokenOf(jira.id);
    await s.sdk.invalidateConnection(jira.id);
    await s.sdk.resolveConnection(jira.id);
    const rotated = await s.refreshTokenOf(jira.id);
    expect(rotated).not.toBe(before);
    // The rotation reached the sibling, found through the index: no read of the account's 200 other users.
    expect(await s.refreshTokenOf(confluence.id)).toBe(rotated);
    expect(lists.length).toBeGreaterThan(0);
    for (const { filter, found } of lists) {
      expect(filter).toEqual({ account_id: "acct-1", grant_key: `atlassian:${ALICE}` });
      expect(found).toBe(2);
    }
    // The other users' records were left alone.
    expect((await memory.get("other-0"))?.version).toBe(1);
  });

  it("records written before grant keys keep their family (the account is read) until backfillNaturalKeys keys them", async () => {
    const { store, memory, lists } = listedStore();
    const s = await start({ store, emulator: { users: [{ accountId: ALICE }] } });
    const jira = await s.connect({ product: "jira", atlassianUser: ALICE });
    const confluence = await s.connect({ product: "confluence", atlassianUser: ALICE });
    await dropGrantKeys(memory, [jira.id, confluence.id]);
    expect((await s.sdk.getConnection(jira.id)).grant_key).toBeUndefined();

    lists.length = 0;
    await s.sdk.invalidateConnection(jira.id);
    await s.sdk.resolveConnection(jira.id);
    expect(await s.refreshTokenOf(confluence.id)).toBe(await s.refreshTokenOf(jira.id));
    expect(lists.some(({ filter }) => filter.grant_key === undefined && filter.providers !== undefined)).toBe(true);

    const migrated = await s.sdk.backfillNaturalKeys();
    expect(migrated).toMatchObject({ updated: 2, grant_keys: 2, failed: 0, conflicts: [], cursor: null });
    expect((await s.sdk.getConnection(confluence.id)).grant_key).toBe(`atlassian:${ALICE}`);
    expect(await s.sdk.backfillNaturalKeys()).toMatchObject({ updated: 0, grant_keys: 0, skipped: 2 });

    lists.length = 0;
    await s.sdk.invalidateConnection(confluence.id);
    await s.sdk.resolveConnection(confluence.id);
    expect(await s.refreshTokenOf(jira.id)).toBe(await s.refreshTokenOf(confluence.id));
    expect(lists.map(({ filter }) => filter)).toEqual(lists.map(() => ({ account_id: "acct-1", grant_key: `atlassian:${ALICE}` })));
  });

  it("an install keys the user's records written before grant keys, so the new record's family includes them", async () => {
    const { store, memory, lists } = listedStore();
    const s = await start({ store, emulator: { users: [{ accountId: ALICE }] } });
    const jira = await s.connect({ product: "jira", atlassianUser: ALICE });
    const confluence = await s.connect({ product: "confluence", atlassianUser: ALICE });
    await dropGrantKeys(memory, [jira.id, confluence.id]);

    const jsm = await s.connect({ product: "jsm", atlassianUser: ALICE });
    expect(jsm.grant_key).toBe(`atlassian:${ALICE}`);
    // Keyed at buildInstallUrl, then reached by the new grant's sync.
    for (const id of [jira.id, confluence.id]) expect((await s.sdk.getConnection(id)).grant_key).toBe(`atlassian:${ALICE}`);
    expect(await s.refreshTokenOf(jira.id)).toBe(await s.refreshTokenOf(jsm.id));
    expect(await s.refreshTokenOf(confluence.id)).toBe(await s.refreshTokenOf(jsm.id));

    lists.length = 0;
    await s.sdk.invalidateConnection(jsm.id);
    await s.sdk.resolveConnection(jsm.id);
    expect(await s.refreshTokenOf(jira.id)).toBe(await s.refreshTokenOf(jsm.id));
    expect(await s.refreshTokenOf(confluence.id)).toBe(await s.refreshTokenOf(jsm.id));
    for (const { filter, found } of lists) {
      expect(filter).toEqual({ account_id: "acct-1", grant_key: `atlassian:${ALICE}` });
      expect(found).toBe(3);
    }
  });

  it("an install reads the installing SDK user's records and their Atlassian user's family, never the rest of the account", async () => {
    const { store, memory, lists } = listedStore();
    const s = await start({ store, emulator: { users: [{ accountId: ALICE }] } });
    const jira = await s.connect({ product: "jira", atlassianUser: ALICE, user_id: "user-1" });
    // Alice's Confluence, connected by another SDK user of the account: her family all the same (her grant key).
    const confluence = await s.connect({ product: "confluence", atlassianUser: ALICE, user_id: "user-2" });
    // 40 other Atlassian users, each with a scope of their own that must never widen Alice's request.
    await otherUsers(memory, "acct-1", 40, { ...(await memory.get(jira.id))!, created_by: "user-3" });
    for (let index = 0; index < 40; index++) {
      const other = (await memory.get(`other-${index}`))!;
      await memory.update(other.id, { scopes: [...other.scopes, `write:other-${index}`], updated_at: other.updated_at }, { expectedVersion: other.version });
    }

    lists.length = 0;
    const { url } = await s.sdk.buildInstallUrl({ provider: "jsm", account_id: "acct-1", user_id: "user-1" });
    const requested = new URL(url).searchParams.get("scope")!.split(" ");
    for (const scope of [...jira.scopes, ...confluence.scopes]) expect(requested).toContain(scope);
    expect(requested.some((scope) => scope.startsWith("write:other-"))).toBe(false);
    // Two indexed reads: user-1's Atlassian records, then Alice's family; neither returns the 40 others.
    expect(lists.map(({ filter }) => filter)).toEqual([
      { account_id: "acct-1", providers: ["jira", "jsm", "confluence"], created_by: "user-1" },
      { account_id: "acct-1", grant_key: `atlassian:${ALICE}` },
    ]);
    expect(lists.map(({ found }) => found)).toEqual([1, 2]);
  });

  it("an install by a user holding records written before grant keys reads the account once, keys the family, then reads by index", async () => {
    const { store, memory, lists } = listedStore();
    const s = await start({ store, emulator: { users: [{ accountId: ALICE }] } });
    const jira = await s.connect({ product: "jira", atlassianUser: ALICE, user_id: "user-1" });
    const confluence = await s.connect({ product: "confluence", atlassianUser: ALICE, user_id: "user-2" });
    await dropGrantKeys(memory, [jira.id, confluence.id]);

    lists.length = 0;
    const first = await s.sdk.buildInstallUrl({ provider: "jsm", account_id: "acct-1", user_id: "user-1" });
    // Alice's Confluence (another SDK user's, no key yet) still widens the request: the account was read...
    for (const scope of confluence.scopes) expect(new URL(first.url).searchParams.get("scope")!.split(" ")).toContain(scope);
    expect(lists.map(({ filter }) => filter)).toEqual([
      { account_id: "acct-1", providers: ["jira", "jsm", "confluence"], created_by: "user-1" },
      { account_id: "acct-1", providers: ["jira", "jsm", "confluence"] },
    ]);
    // ...and both of Alice's records got her key on the way, so the next install reads by index alone.
    for (const id of [jira.id, confluence.id]) expect((await memory.get(id))!.grant_key).toBe(`atlassian:${ALICE}`);
    lists.length = 0;
    const second = await s.sdk.buildInstallUrl({ provider: "jsm", account_id: "acct-1", user_id: "user-1" });
    expect(new URL(second.url).searchParams.get("scope")).toBe(new URL(first.url).searchParams.get("scope"));
    expect(lists.map(({ filter }) => filter)).toEqual([
      { account_id: "acct-1", providers: ["jira", "jsm", "confluence"], created_by: "user-1" },
      { account_id: "acct-1", grant_key: `atlassian:${ALICE}` },
    ]);
  });

  it("an install behind which more than 16 Atlassian users stand reads the account once instead of 17 families", async () => {
    const { store, memory, lists } = listedStore();
    const s = await start({ store, emulator: { users: [{ accountId: ALICE }] } });
    const jira = await s.connect({ product: "jira", atlassianUser: ALICE, user_id: "user-1" });
    // 16 more Atlassian users connected by the same SDK user (an admin connecting on others' behalf), keyed.
    await otherUsers(memory, "acct-1", 16, { ...(await memory.get(jira.id))! });

    lists.length = 0;
    const { url } = await s.sdk.buildInstallUrl({ provider: "confluence", account_id: "acct-1", user_id: "user-1" });
    expect(new URL(url).searchParams.get("scope")!.split(" ")).toEqual(expect.arrayContaining(jira.scopes));
    expect(lists.map(({ filter }) => filter)).toEqual([
      { account_id: "acct-1", providers: ["jira", "jsm", "confluence"], created_by: "user-1" },
      { account_id: "acct-1", providers: ["jira", "jsm", "confluence"] },
    ]);
  });

  it("a record holding its key never joins another user's family, even if a stored key were wrong", async () => {
    const { store, memory } = listedStore();
    const s = await start({ store, emulator: { users: [{ accountId: ALICE }] } });
    const jira = await s.connect({ product: "jira", atlassianUser: ALICE });
    const confluence = await s.connect({ product: "confluence", atlassianUser: ALICE });
    // A record of another user that carries Alice's key (damaged data): the identity rule still keeps it out.
    await otherUsers(memory, "acct-1", 1, { ...(await memory.get(jira.id))! });
    const intruder = (await memory.get("other-0"))!;
    await memory.update(intruder.id, { grant_key: `atlassian:${ALICE}`, updated_at: intruder.updated_at }, { expectedVersion: 1 });
    // Its envelope as stored (sealed to another record, so compared as stored, never decrypted).
    const intruderToken = JSON.stringify((await memory.get(intruder.id))!.credentials);

    await s.sdk.invalidateConnection(jira.id);
    await s.sdk.resolveConnection(jira.id);
    expect(await s.refreshTokenOf(confluence.id)).toBe(await s.refreshTokenOf(jira.id));
    expect(JSON.stringify((await memory.get(intruder.id))!.credentials)).toBe(intruderToken);
  });
});
