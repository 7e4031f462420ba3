// The Jira recipes of packages/provider-atlassian/README.md ("API clients"), run as written against the Atlassian
// emulator: jira.js 5 (axios) through sdk.fetcher, jira.js 6 through sdk.tokenSource. A long-lived client keeps
// working past the token's expiry and after a 401, and never holds a token of its own.
import { Version3Client } from "jira.js5";
import { createCloudClient } from "jira.js6";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { atlassianConnection, expireAtAtlassianOnly, type AtlassianConnection } from "./atlassian-connection.js";

let jira: AtlassianConnection;
beforeEach(async () => {
  jira = await atlassianConnection("jira");
});
afterEach(() => jira.close());

describe("jira.js 5: axios's fetch adapter on sdk.fetcher(id)", () => {
  function client() {
    const { sdk, id, apiBaseUrl } = jira;
    // README recipe
    return new Version3Client({
      host: apiBaseUrl, // runtime.api_base_url: https://api.atlassian.com/ex/jira/{cloudId}
      baseRequestConfig: { adapter: "fetch", env: { fetch: sdk.fetcher(id) } },
    });
  }

  it("calls Jira with the connection's token", async () => {
    const v3 = client();
    expect(await v3.myself.getCurrentUser()).toMatchObject({ accountId: "user-1" });
    expect((await v3.projects.searchProjects()).values?.map((project) => project.key)).toEqual(["DEMO"]);
    expect(jira.emulator.stats).toMatchObject({ codeExchanges: 1, refreshes: 0 });
  });

  it("keeps working past the token's expiry and after Atlassian refuses a token the SDK still held", async () => {
    const v3 = client();
    await v3.myself.getCurrentUser();
    jira.emulator.clock.advance(2 * 3600_000);
    expect(await v3.myself.getCurrentUser()).toMatchObject({ accountId: "user-1" });
    expect(jira.emulator.stats.refreshes).toBe(1);
    expireAtAtlassianOnly(jira);
    const callsBefore = jira.emulator.stats.apiCalls;
    expect((await v3.projects.searchProjects()).values).toHaveLength(1);
    // the 401, then the retry with the refreshed token
    expect(jira.emulator.stats).toMatchObject({ refreshes: 2, apiCalls: callsBefore + 2 });
  });
});

describe("jira.js 6: bearer getToken + getAuthOn401 from sdk.tokenSource(id)", () => {
  function client() {
    const { sdk, id, apiBaseUrl } = jira;
    // README recipe
    const tokens = sdk.tokenSource(id);
    return createCloudClient({
      host: apiBaseUrl, // runtime.api_base_url; never auth.type "oauth2" (it ignores host and refreshes by itself)
      auth: { type: "bearer", getToken: tokens.getToken },
      getAuthOn401: async () => ({ type: "bearer", token: await tokens.onUnauthorized() }),
    });
  }

  it("calls Jira with the connection's token", async () => {
    const cloud = client();
    expect(await cloud.myself.getCurrentUser()).toMatchObject({ accountId: "user-1" });
    expect((await cloud.projects.searchProjects({})).values?.map((project) => project.key)).toEqual(["DEMO"]);
  });

  it("keeps working past the token's expiry and after Atlassian refuses a token the SDK still held", async () => {
    const cloud = client();
    await cloud.myself.getCurrentUser();
    jira.emulator.clock.advance(2 * 3600_000);
    expect(await cloud.myself.getCurrentUser()).toMatchObject({ accountId: "user-1" });
    expect(jira.emulator.stats.refreshes).toBe(1);
    expireAtAtlassianOnly(jira);
    const callsBefore = jira.emulator.stats.apiCalls;
    expect((await cloud.projects.searchProjects({})).values).toHaveLength(1);
    expect(jira.emulator.stats).toMatchObject({ refreshes: 2, apiCalls: callsBefore + 2 });
  });
});
