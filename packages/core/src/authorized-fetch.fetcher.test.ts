// sdk.fetch with a URL or a Request, and sdk.fetcher(id): the standard fetch signature API clients call, bound to a
// connection, against a real HTTP server on 127.0.0.1 — credentials injected, same origin only, 401 refreshed once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startLocalApi, type LocalApiServer } from "../test/local-api-server.js";
import { failure } from "../test/failure.js";
import { sdkFixture } from "../test/sdk-fixture.js";

let api: LocalApiServer;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  api.requests.length = 0;
  api.handle(() => ({ status: 200, body: '{"ok":true}' }));
});

async function oauthConnection() {
  const fixture = sdkFixture({ apiBaseUrl: api.url });
  const saved = await fixture.sdk.createConnection({ provider: "fake-oauth", account_id: "acct-1", created_by: "u", credentials: { refresh_token: "rt-1" }, metadata: { cloud_id: "c1" } });
  return { ...fixture, id: saved.id };
}

describe("sdk.fetch(id, URL | Request) and sdk.fetcher(id)", () => {
  it("a Request keeps its method, headers and body; the connection's credential wins", async () => {
    const { sdk, id } = await oauthConnection();
    const request = new Request(`${api.url}/api/0/organizations/`, { method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer client-default" }, body: '{"name":"x"}' });
    const response = await sdk.fetcher(id)(request);
    expect(response.status).toBe(200);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({ method: "POST", path: "/api/0/organizations/", body: '{"name":"x"}' });
    expect(api.requests[0]!.headers).toMatchObject({ authorization: "Bearer fake-access-token-1", "content-type": "application/json" });
  });

  it("a URL and a relative path work the same, and init given beside a Request wins", async () => {
    const { sdk, id } = await oauthConnection();
    const fetch = sdk.fetcher(id);
    await fetch(new URL("/me?x=1", api.url));
    await fetch("/me");
    await fetch(new Request(`${api.url}/items`, { method: "GET", headers: { "X-Trace": "from-request" } }), { method: "DELETE", headers: { "X-Trace": "from-init" } });
    expect(api.requests.map((item) => `${item.method} ${item.path} ${item.headers["x-trace"] ?? ""}`.trim())).toEqual(["GET /me?x=1", "GET /me", "DELETE /items from-init"]);
  });

  it("a 401 to a Request refreshes once and replays its body", async () => {
    const { sdk, id, oauth } = await oauthConnection();
    api.handle((request) => (request.headers.authorization === "Bearer fake-access-token-1" ? { status: 401, body: "{}" } : { status: 200, body: '{"ok":true}' }));
    const response = await sdk.fetcher(id)(new Request(`${api.url}/chat.postMessage`, { method: "POST", body: "channel=C1&text=hi" }));
    expect(response.status).toBe(200);
    expect(api.requests.map((item) => [item.headers.authorization, item.body])).toEqual([
      ["Bearer fake-access-token-1", "channel=C1&text=hi"],
      ["Bearer fake-access-token-2", "channel=C1&text=hi"],
    ]);
    expect(oauth.minted).toEqual(["fake-access-token-1", "fake-access-token-2"]);
  });

  it("a Request to another origin is refused before anything is sent", async () => {
    const { sdk, id } = await oauthConnection();
    const error = await failure(sdk.fetcher(id)(new Request("https://evil.example/steal")));
    expect(error).toMatchObject({ code: "validation_failed", details: { field: "fetch.path" } });
    expect(api.requests).toEqual([]);
  });

  it("fetcher refuses an invalid id at once", () => {
    expect(() => useFetcher("not an id")).toThrow(expect.objectContaining({ code: "validation_failed" }));
  });
});

function useFetcher(id: string) {
  return sdkFixture({ apiBaseUrl: "https://api.example.com" }).sdk.fetcher(id);
}
