// A dead grant, in every form Atlassian answers it, on the emulator: `403 invalid_grant` and `unauthorized_client
// "refresh_token is invalid"` at 400 and 403 all become reauth_required, the Atlassian user's whole family turns
// needs_reauth with one event each, and no token call follows until a re-install. A wrong client secret at the code
// exchange stays invalid_client; a refresh answer without refresh_token keeps the stored one.
import { describe, expect, it } from "vitest";
import { failure, observe } from "../test/observe.js";
import { sandboxes } from "../test/sandboxes.js";

const HOUR = 3600_000;
const KEY = { id: "k1", key: Buffer.alloc(32, 7).toString("base64") };

const sandbox = sandboxes({ encryption: [KEY], provider: { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 50 } } });

const UNAUTHORIZED_CLIENT = { error: "unauthorized_client", error_description: "refresh_token is invalid" };

describe("a dead refresh token, whatever words Atlassian picks", () => {
  const answers = [
    { name: "403 invalid_grant (documented)", answer: undefined, providerError: "invalid_grant", status: 403 },
    { name: "400 unauthorized_client", answer: { status: 400, body: UNAUTHORIZED_CLIENT }, providerError: "unauthorized_client", status: 400 },
    { name: "403 unauthorized_client", answer: { status: 403, body: UNAUTHORIZED_CLIENT }, providerError: "unauthorized_client", status: 403 },
    { name: "400 with only the description", answer: { status: 400, body: { error: "invalid_request", error_description: "The refresh token is invalid" } }, providerError: "invalid_request", status: 400 },
  ];
  for (const { name, answer, providerError, status } of answers) {
    it(`${name}: reauth_required, the user's family needs_reauth with one event each, then no token call until a re-install`, async () => {
      const seen = observe();
      const s = await sandbox({ emulator: { ...(answer ? { deadRefreshTokenAnswer: answer } : {}), users: [{ accountId: "alice" }, { accountId: "bob" }] } });
      seen.watch(s.sdk);
      const jira = await s.connect({ product: "jira", atlassianUser: "alice", user_id: "u-alice" });
      const wiki = await s.connect({ product: "confluence", atlassianUser: "alice", user_id: "u-alice" });
      const bobsJsm = await s.connect({ product: "jsm", atlassianUser: "bob", user_id: "u-bob" });
      s.emulator.revokeUser("alice");
      s.clock.advance(HOUR);

      const error = await failure(s.sdk.resolveConnection(jira.id));
      expect(error.code).toBe("reauth_required");
      expect(error.details).toMatchObject({ status, provider_error: providerError });
      expect(s.emulator.stats.deadRefreshes).toBe(1);
      for (const id of [jira.id, wiki.id]) expect((await s.sdk.getConnection(id)).status).toBe("needs_reauth");
      expect((await s.sdk.getConnection(bobsJsm.id)).status).toBe("active");
      expect(seen.named("connection.needs_reauth").map((event) => event.integration_id).sort()).toEqual([jira.id, wiki.id].sort());

      // Dead stays dead without asking Atlassian again: resolves and fetches of every record of the family, for hours.
      const calls = s.emulator.stats.tokenCalls;
      for (let round = 0; round < 5; round++) {
        s.clock.advance(HOUR);
        for (const id of [jira.id, wiki.id]) expect((await failure(s.sdk.resolveConnection(id))).code).toBe("reauth_required");
        expect((await failure(s.sdk.fetch(jira.id, "/rest/api/3/myself"))).code).toBe("reauth_required");
      }
      expect(s.emulator.stats.tokenCalls).toBe(calls);
      expect(seen.named("connection.needs_reauth")).toHaveLength(2);

      // A re-install is the way back, for the product installed and the siblings its grant covers.
      await s.connect({ product: "jira", atlassianUser: "alice", user_id: "u-alice" });
      expect((await s.sdk.getConnection(jira.id)).status).toBe("active");
      expect((await s.sdk.resolveConnection(jira.id)).integration_id).toBe(jira.id);
    });
  }

  it("a wrong client secret on the code exchange stays invalid_client, also when Atlassian words it unauthorized_client", async () => {
    for (const invalidClient of [undefined, { status: 401, body: { error: "unauthorized_client", error_description: "Unauthorized" } }]) {
      const s = await sandbox({ emulator: invalidClient ? { invalidClient } : {}, provider: { clientSecret: "not-the-secret" } });
      const error = await failure(s.connect({ product: "jira" }));
      expect(error.code).toBe("invalid_client");
      expect(await s.sdk.listConnections({ account_id: "acct-1" })).toEqual([]);
    }
  });

  it("a refresh answer without refresh_token keeps the stored one, on every sibling, and the next refresh works", async () => {
    const s = await sandbox({ emulator: { omitRefreshTokenOnRefresh: true } });
    const jira = await s.connect({ product: "jira" });
    const wiki = await s.connect({ product: "confluence" });
    const stored = await s.refreshTokenOf(jira.id);
    expect(await s.refreshTokenOf(wiki.id)).toBe(stored);
    for (let expiry = 1; expiry <= 2; expiry++) {
      s.clock.advance(HOUR);
      await s.sdk.resolveConnection(jira.id);
      await s.sdk.resolveConnection(wiki.id);
      expect(s.emulator.stats.refreshes).toBe(2 * expiry);
      expect(await s.refreshTokenOf(jira.id)).toBe(stored);
      expect(await s.refreshTokenOf(wiki.id)).toBe(stored);
    }
    expect(s.emulator.stats).toMatchObject({ deadRefreshes: 0, reuseDetected: 0 });
  });
});
