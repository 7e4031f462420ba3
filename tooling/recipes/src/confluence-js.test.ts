// The Confluence recipes of packages/provider-atlassian/README.md ("API clients"), run as written against the
// Atlassian emulator: confluence.js 2 (axios) through sdk.fetcher, confluence.js 3 through sdk.tokenSource.
import { ConfluenceClient } from "confluence.js2";
import { createV1Client, createV2Client } from "confluence.js3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { atlassianConnection, expireAtAtlassianOnly, type AtlassianConnection } from "./atlassian-connection.js";

let confluence: AtlassianConnection;
beforeEach(async () => {
  confluence = await atlassianConnection("confluence");
});
afterEach(() => confluence.close());

describe("confluence.js 2: axios's fetch adapter on sdk.fetcher(id)", () => {
  function client() {
    const { sdk, id, apiBaseUrl } = confluence;
    // README recipe
    return new ConfluenceClient({
      host: apiBaseUrl, // runtime.api_base_url: https://api.atlassian.com/ex/confluence/{cloudId}
      baseRequestConfig: { adapter: "fetch", env: { fetch: sdk.fetcher(id) } },
    });
  }

  it("calls Confluence with the connection's token, past expiry and after a 401", async () => {
    const client2 = client();
    expect((await client2.space.getSpaces()).results.map((space) => space.key)).toEqual(["DEMO"]);
    expect(await client2.users.getCurrentUser()).toMatchObject({ accountId: "user-1" });
    confluence.emulator.clock.advance(2 * 3600_000);
    expect(await client2.users.getCurrentUser()).toMatchObject({ accountId: "user-1" });
    expireAtAtlassianOnly(confluence);
    expect((await client2.space.getSpaces()).results).toHaveLength(1);
    expect(confluence.emulator.stats.refreshes).toBe(2);
  });
});

describe("confluence.js 3: bearer getToken + getAuthOn401 from sdk.tokenSource(id)", () => {
  function clients() {
    const { sdk, id, apiBaseUrl } = confluence;
    // README recipe
    const tokens = sdk.tokenSource(id);
    const config = {
      host: apiBaseUrl, // runtime.api_base_url; never auth.type "oauth2" (it ignores host and refreshes by itself)
      auth: { type: "bearer" as const, getToken: tokens.getToken },
      getAuthOn401: async () => ({ type: "bearer" as const, token: await tokens.onUnauthorized() }),
    };
    return { v1: createV1Client(config), v2: createV2Client(config) };
  }

  it("calls Confluence v2 and v1 with the connection's token, past expiry and after a 401", async () => {
    const { v1, v2 } = clients();
    expect((await v2.space.getSpaces({})).results?.map((space) => space.key)).toEqual(["DEMO"]);
    expect(await v1.users.getCurrentUser({})).toMatchObject({ accountId: "user-1" });
    confluence.emulator.clock.advance(2 * 3600_000);
    expect((await v2.space.getSpaces({})).results).toHaveLength(1);
    expireAtAtlassianOnly(confluence);
    expect(await v1.users.getCurrentUser({})).toMatchObject({ accountId: "user-1" });
    expect(confluence.emulator.stats.refreshes).toBe(2);
  });
});
