import { describe, expect, it } from "vitest";
import { startAtlassianSandbox } from "./testing.js";

describe("a refresh racing a sibling re-install", () => {
  it("never overwrites the re-installed grant with the old chain's rotated token, on the record or its siblings", async () => {
    let gate: Promise<void> | undefined;
    let entered!: () => void;
    const refreshStarted = new Promise<void>((resolve) => (entered = resolve));
    // Holds the old chain's refresh at the provider until the re-install below has finished.
    const heldFetch: typeof fetch = async (url, init) => {
      const body = typeof init?.body === "string" ? init.body : "";
      if (gate && body.includes('"grant_type":"refresh_token"')) {
        entered();
        await gate;
      }
      return fetch(url, init);
    };
    const s = await startAtlassianSandbox({ fetch: heldFetch });
    try {
      const jira = await s.connect({ product: "jira" });
      const wiki = await s.connect({ product: "confluence" });
      let open!: () => void;
      gate = new Promise<void>((resolve) => (open = resolve));
      s.clock.advance(3600_000);
      const refresh = s.sdk.resolveConnection(jira.id);
      await refreshStarted;
      gate = undefined;
      await s.connect({ product: "confluence" }); // a new consent: a new grant, synced to Jira by the re-install
      const newGrant = await s.refreshTokenOf(wiki.id);
      expect(await s.refreshTokenOf(jira.id)).toBe(newGrant);
      open();
      await refresh;
      expect(await s.refreshTokenOf(jira.id)).toBe(newGrant);
      expect(await s.refreshTokenOf(wiki.id)).toBe(newGrant);
      expect((await s.sdk.getConnection(jira.id)).status).toBe("active");
      expect((await s.sdk.getConnection(wiki.id)).status).toBe("active");
    } finally {
      await s.close();
    }
  });
});
