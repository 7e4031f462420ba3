// The refresh skew is capped at a fraction of the token's lifetime: with the default 60 s skew, a server issuing 5 s
// tokens is refreshed (and rotated) once per token, not on every resolve, and a long-lived token keeps the full skew.
import { describe, expect, it } from "vitest";
import { startHarness } from "../test/harness.js";
import { effectiveSkewMs, MAX_SKEW_FRACTION } from "./token-cache.js";

describe("refresh skew capped at a fraction of the token lifetime", () => {
  it("a 5 s token with the default 60 s skew is cached for the first half of its life", async () => {
    const h = await startHarness({ server: { accessTokenTtlSeconds: 5 } });
    try {
      const { integrationId } = await h.install();
      // The install's token carries its issue time too: it is cached for half its life, like every later one.
      const installed = await h.sdk.resolveConnection(integrationId);
      expect(h.server.stats.refreshes).toBe(0);
      h.clock.advance(2600); // past half of the 5 s lifetime
      const first = await h.sdk.resolveConnection(integrationId);
      expect(first.access_token).not.toBe(installed.access_token);
      expect(h.server.stats.refreshes).toBe(1);
      for (let step = 0; step < 4; step++) {
        h.clock.advance(500);
        expect((await h.sdk.resolveConnection(integrationId)).access_token).toBe(first.access_token);
      }
      expect(h.server.stats.refreshes).toBe(1);
      h.clock.advance(600); // 2.6 s after issue: past half of the 5 s lifetime
      expect((await h.sdk.resolveConnection(integrationId)).access_token).not.toBe(first.access_token);
      expect(h.server.stats.refreshes).toBe(2);
    } finally {
      await h.close();
    }
  });

  it("keeps the configured skew when the lifetime is long, and when the issue time is unknown", () => {
    const issued = 1_000_000;
    expect(effectiveSkewMs({ access_token: "a", token_type: "Bearer", scopes: [], issued_at: issued, expires_at: issued + 3_600_000 }, 60_000)).toBe(60_000);
    expect(effectiveSkewMs({ access_token: "a", token_type: "Bearer", scopes: [], issued_at: issued, expires_at: issued + 5_000 }, 60_000)).toBe(5_000 * MAX_SKEW_FRACTION);
    expect(effectiveSkewMs({ access_token: "a", token_type: "Bearer", scopes: [], expires_at: issued + 5_000 }, 60_000)).toBe(60_000);
  });
});
