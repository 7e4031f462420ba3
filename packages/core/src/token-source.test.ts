// sdk.tokenSource(id): the getToken / on-401 pair for API clients that run their own HTTP stack (jira.js 6,
// confluence.js 3). A refused token is replaced once; a token that a refusal's refresh gave is not refreshed again.
import { describe, expect, it } from "vitest";
import { failure } from "../test/failure.js";
import { sdkFixture } from "../test/sdk-fixture.js";

async function oauthConnection() {
  const fixture = sdkFixture({ apiBaseUrl: "https://api.example.com" });
  const saved = await fixture.sdk.createConnection({ provider: "fake-oauth", account_id: "acct-1", created_by: "u", credentials: { refresh_token: "rt-1" }, metadata: { cloud_id: "c1" } });
  return { ...fixture, id: saved.id };
}

describe("sdk.tokenSource(id)", () => {
  it("getToken is the connection's cached access token, refreshed when it is due", async () => {
    const { sdk, id, oauth, clock } = await oauthConnection();
    const tokens = sdk.tokenSource(id);
    expect(await tokens.getToken()).toBe("fake-access-token-1");
    expect(await tokens.getToken()).toBe("fake-access-token-1");
    clock.advance(2 * 3600_000);
    expect(await tokens.getToken()).toBe("fake-access-token-2");
    expect(oauth.minted).toEqual(["fake-access-token-1", "fake-access-token-2"]);
  });

  it("onUnauthorized replaces the refused token once, however many requests saw it refused", async () => {
    const { sdk, id, oauth } = await oauthConnection();
    const first = sdk.tokenSource(id);
    const second = sdk.tokenSource(id);
    expect(await first.getToken()).toBe("fake-access-token-1");
    expect(await second.getToken()).toBe("fake-access-token-1");
    // Both clients saw the same token refused: one refresh, both get its token.
    const replaced = await Promise.all([first.onUnauthorized(), second.onUnauthorized("fake-access-token-1")]);
    expect(replaced).toEqual(["fake-access-token-2", "fake-access-token-2"]);
    expect(oauth.minted).toEqual(["fake-access-token-1", "fake-access-token-2"]);
  });

  it("a token that a refusal's refresh gave is not refreshed again when it is refused too", async () => {
    const { sdk, id, oauth } = await oauthConnection();
    const tokens = sdk.tokenSource(id);
    await tokens.getToken();
    expect(await tokens.onUnauthorized()).toBe("fake-access-token-2");
    // Refused again (a missing scope, a revoked app): a refresh cannot cure that, so no refresh loop.
    expect(await tokens.onUnauthorized()).toBe("fake-access-token-2");
    expect(oauth.minted).toEqual(["fake-access-token-1", "fake-access-token-2"]);
  });

  it("refuses a bad id at once, a bad refused token, and a provider without an access token", async () => {
    const { sdk, id } = await oauthConnection();
    expect(() => sdk.tokenSource("not an id")).toThrow(expect.objectContaining({ code: "validation_failed", details: expect.objectContaining({ field: "tokenSource.id" }) }));
    expect(await failure(sdk.tokenSource(id).onUnauthorized(42 as unknown as string))).toMatchObject({
      code: "validation_failed",
      details: { field: "tokenSource.onUnauthorized.refused" },
    });
    const mapped = await sdk.createConnection({ provider: "acme-mapped", account_id: "a", created_by: "u", credentials: { key_id: "kid-7", key_secret: "mapped-secret-7777" } });
    const error = await failure(sdk.tokenSource(mapped.id).getToken());
    expect(error).toMatchObject({ code: "unsupported_operation", details: { provider: "acme-mapped" } });
    expect(JSON.stringify(error)).not.toContain("mapped-secret-7777");
  });
});
