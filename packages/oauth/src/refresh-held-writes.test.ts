// The holder's writes after the token call rest on the record it read under the lock before the call: the rotated
// refresh token is written against that version (no re-read when nothing moved). A record written by someone else
// during the call must make that write conflict and be re-read, so their write is kept and nothing is lost. (A
// re-install storing a new grant during the call: provider-atlassian's atlassian.reinstall-race.test.ts.)
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../test/harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A fetch that holds refresh calls at the provider until `release()`, and says when one arrived. */
function holdingFetch() {
  let arrived!: () => void;
  const started = new Promise<void>((resolve) => (arrived = resolve));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const fetcher: typeof fetch = async (url, init) => {
    if (String(init?.body ?? "").includes("grant_type=refresh_token")) {
      arrived();
      await gate;
    }
    return fetch(url, init);
  };
  return { fetcher, started, release };
}

describe("the holder's record write after the token call", () => {
  it("keeps a write another caller made to the record during the call, and stores the rotated refresh token on top", async () => {
    const held = holdingFetch();
    const h = (harness = await startHarness({ fetch: held.fetcher }));
    const { integrationId } = await h.install();
    const before = (await h.store.get(integrationId))!;
    h.clock.advance(3600 * 1000);
    const resolving = h.sdk.resolveConnection(integrationId);
    await held.started;
    // Written while the provider works on the refresh: the holder read the record before this.
    await h.store.update(integrationId, { scopes: ["read", "write", "admin"], updated_at: new Date(h.clock.now()).toISOString() }, { expectedVersion: before.version });
    held.release();
    const runtime = await resolving;
    expect(h.server.stats.refreshes).toBe(1);
    const after = (await h.sdk.getConnection(integrationId))!;
    expect(after.scopes).toEqual(["read", "write", "admin"]);
    expect(after.version).toBe(before.version + 2);
    // The rotated refresh token reached the record: the next expiry refreshes with it, and the provider sees no reuse.
    h.clock.advance(3600 * 1000);
    const next = await h.sdk.resolveConnection(integrationId);
    expect(next.access_token).not.toBe(runtime.access_token);
    expect(h.server.stats.refreshes).toBe(2);
    expect(h.server.stats.reuseDetected).toBe(0);
  });
});
