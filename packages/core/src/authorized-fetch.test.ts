// sdk.fetch against real HTTP servers on 127.0.0.1: credentials are injected on the wire, never sent to another
// origin (not even through a redirect), and an OAuth 401 invalidates, refreshes and retries exactly once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createSDK } from "./create-sdk.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import { defineMappedCredentialsProvider } from "./define-mapped-credentials-provider.js";
import { MemoryStore } from "./memory-store.js";
import { startLocalApi, type LocalApiServer } from "../test/local-api-server.js";
import { KEY_1, sdkFixture } from "../test/sdk-fixture.js";
import { failure } from "../test/failure.js";
import { fakeOAuthProvider } from "../test/fake-oauth-provider.js";

let api: LocalApiServer;
let elsewhere: LocalApiServer;
beforeAll(async () => {
  api = await startLocalApi();
  elsewhere = await startLocalApi();
});
afterAll(async () => {
  await api.close();
  await elsewhere.close();
});
beforeEach(() => {
  api.requests.length = 0;
  elsewhere.requests.length = 0;
  api.handle(() => ({ status: 200, body: '{"ok":true}' }));
});

async function apiKeyConnection() {
  const fixture = sdkFixture({ apiBaseUrl: `${api.url}/v1` });
  const saved = await fixture.sdk.createConnection({ provider: "acme-key", account_id: "acct-1", created_by: "u", credentials: { api_key: "fetch-key-1234" } });
  return { ...fixture, id: saved.id };
}

async function oauthConnection() {
  const fixture = sdkFixture({ apiBaseUrl: api.url });
  const saved = await fixture.sdk.createConnection({ provider: "fake-oauth", account_id: "acct-1", created_by: "u", credentials: { refresh_token: "rt-1" }, metadata: { cloud_id: "c1" } });
  return { ...fixture, id: saved.id };
}

describe("sdk.fetch injects credentials", () => {
  it("api-key: resolves the path against api_base_url, keeps the caller's method, body and headers, and the credential wins", async () => {
    const { sdk, id } = await apiKeyConnection();
    const response = await sdk.fetch(id, "/issues?limit=2", { method: "POST", body: '{"title":"x"}', headers: { "Content-Type": "application/json", "X-Trace": "t-1", Authorization: "Bearer caller-value" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request).toMatchObject({ method: "POST", path: "/v1/issues?limit=2", body: '{"title":"x"}' });
    expect(request!.headers).toMatchObject({ authorization: "Bearer fetch-key-1234", "x-trace": "t-1", "content-type": "application/json" });
    await sdk.fetch(id, "projects");
    await sdk.fetch(id, `${api.url}/v1/absolute`);
    await sdk.fetch(id, "/search?q=../x&next=%2e%2e");
    expect(api.requests.map((item) => item.path)).toEqual(["/v1/issues?limit=2", "/v1/projects", "/v1/absolute", "/v1/search?q=../x&next=%2e%2e"]);
  });

  it("mapped credentials: the mapped headers reach the server", async () => {
    const { sdk } = sdkFixture({ apiBaseUrl: api.url });
    const saved = await sdk.createConnection({ provider: "acme-mapped", account_id: "a", created_by: "u", credentials: { key_id: "kid-7", key_secret: "mapped-secret-7777" } });
    await sdk.fetch(saved.id, "/me");
    expect(api.requests[0]!.headers).toMatchObject({ "x-key-id": "kid-7", "x-key-secret": "mapped-secret-7777" });
  });

  it("refuses another origin (another host, or another port of the same host) before any request", async () => {
    const { sdk, id } = await apiKeyConnection();
    for (const target of [`${elsewhere.url}/steal`, "https://evil.example/steal", api.url.replace("http:", "https:") + "/x"]) {
      const error = await failure(sdk.fetch(id, target));
      expect(error.code).toBe("validation_failed");
      expect(error.details.field).toBe("fetch.path");
    }
    expect(api.requests).toHaveLength(0);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it("refuses a path that leaves the base URL's path: dot segments (raw or percent-encoded) and absolute URLs elsewhere", async () => {
    const { sdk, id } = await apiKeyConnection();
    const targets = [
      "/../v2/steal",
      "../v2/steal",
      "/issues/../../v2/steal",
      "/%2e%2e/v2/steal",
      "/%2E%2e/v2/steal",
      "/.%2e/v2/steal",
      "/%252e%252e/v2/steal",
      "/%252e%252e/%",
      "/%252E%252e/v2/steal%zz",
      "/%25252e%25252e/%e0",
      "/..%2fv2/steal",
      "/..\\v2/steal",
      "/./issues",
      `${api.url}/v2/steal`,
      `${api.url}/v1x/steal`,
      `${api.url}/`,
      `${api.url}/v1/../v2/steal`,
      `${api.url}/v1/%2e%2e/v2/steal`,
    ];
    for (const target of targets) {
      const error = await failure(sdk.fetch(id, target));
      expect([target, error.code, error.details.field]).toEqual([target, "validation_failed", "fetch.path"]);
    }
    expect(api.requests).toHaveLength(0);
  });

  it("refuses a redirect on the same origin that leaves the base path, after sending only the first request", async () => {
    const { sdk, id } = await apiKeyConnection();
    api.handle((request) =>
      request.path === "/v1/sideways" ? { status: 302, headers: { location: "/v2/other-site" } } : request.path === "/v1/dotted" ? { status: 307, headers: { location: "/v1/%2e%2e/v2/x" } } : { status: 200, body: "{}" },
    );
    for (const [path, status] of [["/sideways", 302], ["/dotted", 307]] as const) {
      const error = await failure(sdk.fetch(id, path));
      expect(error.code).toBe("validation_failed");
      expect(error.details).toMatchObject({ field: "fetch.path", redirect_status: status });
    }
    expect(api.requests.map((request) => request.path)).toEqual(["/v1/sideways", "/v1/dotted"]);
  });

  it("follows a redirect on the same origin with credentials, and returns a redirect to another origin unfollowed", async () => {
    const { sdk, id } = await apiKeyConnection();
    api.handle((request) =>
      request.path === "/v1/old" ? { status: 302, headers: { location: "/v1/new" } } : request.path === "/v1/away" ? { status: 307, headers: { location: `${elsewhere.url}/collect` } } : { status: 200, body: '{"ok":true}' },
    );
    const followed = await sdk.fetch(id, "/old");
    expect(followed.status).toBe(200);
    expect(api.requests.map((request) => [request.path, request.headers.authorization])).toEqual([
      ["/v1/old", "Bearer fetch-key-1234"],
      ["/v1/new", "Bearer fetch-key-1234"],
    ]);
    const away = await sdk.fetch(id, "/away");
    expect(away.status).toBe(307);
    expect(away.headers.get("location")).toBe(`${elsewhere.url}/collect`);
    expect(elsewhere.requests).toHaveLength(0);
    const manual = await sdk.fetch(id, "/old", { redirect: "manual" });
    expect(manual.status).toBe(302);
    expect((await failure(sdk.fetch(id, "/old", { redirect: "error" }))).code).toBe("provider_error");
  });

  it("a 303 after a POST continues as a GET without the body", async () => {
    const { sdk, id } = await apiKeyConnection();
    api.handle((request) => (request.path === "/v1/submit" ? { status: 303, headers: { location: "/v1/result" } } : { status: 200, body: "{}" }));
    await sdk.fetch(id, "/submit", { method: "POST", body: "payload" });
    expect(api.requests.map((request) => [request.method, request.path, request.body])).toEqual([
      ["POST", "/v1/submit", "payload"],
      ["GET", "/v1/result", ""],
    ]);
  });

  it("a provider without api_base_url is unsupported_operation", async () => {
    const sdk = createSDK({ store: new MemoryStore(), providers: [defineApiKeyProvider({ id: "nobase" })], encryption: { keys: [KEY_1] } });
    const saved = await sdk.createConnection({ provider: "nobase", account_id: "a", created_by: "u", credentials: { api_key: "k-1234" } });
    expect((await failure(sdk.fetch(saved.id, "/x"))).code).toBe("unsupported_operation");
  });

  it("a credential that is not a valid header value fails without quoting it (Headers' own error would)", async () => {
    const lax = defineMappedCredentialsProvider({ id: "lax", baseUrl: api.url, schema: z.object({ token: z.string() }), map: (credentials) => ({ headers: { "X-Token": credentials.token } }) });
    const sdk = createSDK({ store: new MemoryStore(), providers: [lax], encryption: { keys: [KEY_1] } });
    const saved = await sdk.createConnection({ provider: "lax", account_id: "a", created_by: "u", credentials: { token: "lax-secret-9999\r\nX-Injected: 1" } });
    const error = await failure(sdk.fetch(saved.id, "/x"));
    expect(error.code).toBe("validation_failed");
    expect(error.details.field).toBe("runtime.headers.X-Token");
    expect(JSON.stringify({ message: error.message, details: error.details, cause: String(error.cause) })).not.toContain("lax-secret");
    expect(api.requests).toHaveLength(0);
  });
});

describe("sdk.fetch and 401", () => {
  it("OAuth: a 401 invalidates the rejected token, refreshes once and retries once", async () => {
    const { sdk, id, oauth } = await oauthConnection();
    api.handle((request) => (request.headers.authorization === "Bearer fake-access-token-1" ? { status: 401, body: '{"error":"expired"}' } : { status: 200, body: '{"ok":true}' }));
    const response = await sdk.fetch(id, "/me", { method: "PUT", body: "same body twice" });
    expect(response.status).toBe(200);
    expect(api.requests.map((request) => [request.headers.authorization, request.body])).toEqual([
      ["Bearer fake-access-token-1", "same body twice"],
      ["Bearer fake-access-token-2", "same body twice"],
    ]);
    expect(oauth.minted).toEqual(["fake-access-token-1", "fake-access-token-2"]);
  });

  it("OAuth: a second 401 is returned as it is (one retry, never a loop)", async () => {
    const { sdk, id, oauth } = await oauthConnection();
    api.handle(() => ({ status: 401, body: "{}" }));
    expect((await sdk.fetch(id, "/me")).status).toBe(401);
    expect(api.requests).toHaveLength(2);
    expect(oauth.minted).toHaveLength(2);
  });

  it("OAuth: a 401 on the token a refresh just gave is returned without another refresh: N calls, one refresh", async () => {
    const { sdk, id, oauth } = await oauthConnection();
    api.handle(() => ({ status: 401, body: "{}" }));
    for (let call = 0; call < 25; call++) expect((await sdk.fetch(id, "/me")).status).toBe(401);
    // The first call: token 1, refresh, token 2. Every later call: token 2 once, no refresh.
    expect(oauth.minted).toEqual(["fake-access-token-1", "fake-access-token-2"]);
    expect(api.requests).toHaveLength(26);
    expect(api.requests.slice(1).every((request) => request.headers.authorization === "Bearer fake-access-token-2")).toBe(true);
  });

  it("OAuth: a token that later expires and is replaced gets its own single refresh on a 401", async () => {
    const { sdk, id, oauth, cache } = await oauthConnection();
    api.handle(() => ({ status: 401, body: "{}" }));
    await sdk.fetch(id, "/me");
    const saved = await sdk.getConnection(id);
    await cache.delete(`integration:fake-oauth:${id}:app_user:${saved.account_id}:access_token`);
    await sdk.fetch(id, "/me");
    await sdk.fetch(id, "/me");
    expect(oauth.minted).toEqual(["fake-access-token-1", "fake-access-token-2", "fake-access-token-3", "fake-access-token-4"]);
  });

  it("OAuth: a refusal the provider says a refresh cannot cure is returned without any refresh", async () => {
    const oauth = fakeOAuthProvider({ apiBaseUrl: api.url, refreshCannotCure: async (response) => (await response.text()).includes("scope does not match") });
    const fixture = sdkFixture({ apiBaseUrl: api.url, providers: [oauth] });
    const saved = await fixture.sdk.createConnection({ provider: "fake-oauth", account_id: "acct-1", created_by: "u", credentials: { refresh_token: "rt-1" }, metadata: { cloud_id: "c1" } });
    api.handle((request) => (request.path === "/scoped" ? { status: 401, body: '{"code":401,"message":"Unauthorized; scope does not match"}' } : { status: 401, body: "{}" }));
    const response = await fixture.sdk.fetch(saved.id, "/scoped");
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 401, message: "Unauthorized; scope does not match" });
    expect(oauth.minted).toEqual(["fake-access-token-1"]);
    expect((await fixture.sdk.fetch(saved.id, "/other")).status).toBe(401);
    expect(oauth.minted).toEqual(["fake-access-token-1", "fake-access-token-2"]);
  });

  it("OAuth: a body that cannot be replayed (a stream) is not retried", async () => {
    const { sdk, id } = await oauthConnection();
    api.handle(() => ({ status: 401, body: "{}" }));
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });
    expect((await sdk.fetch(id, "/upload", { method: "POST", body, duplex: "half" } as RequestInit)).status).toBe(401);
    expect(api.requests).toHaveLength(1);
  });

  it("api-key: a 401 is returned to the caller (there is nothing to refresh)", async () => {
    const { sdk, id } = await apiKeyConnection();
    api.handle(() => ({ status: 401, body: "{}" }));
    expect((await sdk.fetch(id, "/me")).status).toBe(401);
    expect(api.requests).toHaveLength(1);
  });
});
