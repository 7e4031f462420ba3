// sdk.fetch and ProviderDefinition.rejectsCredentials: an API that refuses a token without a 401 (Slack answers
// HTTP 200 `{ ok: false, error: "token_expired" }`) gets the 401 treatment when its provider recognises the answer.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ProviderDefinition } from "./provider.js";
import { fakeOAuthProvider } from "../test/fake-oauth-provider.js";
import { startLocalApi, type LocalApiServer } from "../test/local-api-server.js";
import { sdkFixture } from "../test/sdk-fixture.js";

let api: LocalApiServer;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
  // Only the second minted token is accepted, in Slack's manner: always HTTP 200.
  api.handle((request) => ({ status: 200, body: request.headers.authorization === "Bearer fake-access-token-2" ? '{"ok":true}' : '{"ok":false,"error":"token_expired"}' }));
});

async function connection(rejectsCredentials?: ProviderDefinition["rejectsCredentials"]) {
  const oauth = fakeOAuthProvider({ apiBaseUrl: api.url });
  const calls = { hook: 0 };
  const provider: ProviderDefinition = rejectsCredentials
    ? {
        ...oauth,
        rejectsCredentials: (response) => {
          calls.hook += 1;
          return rejectsCredentials(response);
        },
      }
    : oauth;
  const { sdk } = sdkFixture({ providers: [provider] });
  const saved = await sdk.createConnection({ provider: "fake-oauth", account_id: "acct-1", created_by: "u", credentials: { refresh_token: "rt-1" }, metadata: { cloud_id: "c1" } });
  return { sdk, id: saved.id, minted: oauth.minted, calls };
}

const okFalse = async (response: Response) => ((await response.json()) as { ok?: unknown }).ok === false;

describe("sdk.fetch and a provider's rejectsCredentials", () => {
  it("treats a recognised refusal like a 401: invalidates that token, refreshes once and retries once", async () => {
    const { sdk, id, minted } = await connection(okFalse);
    const response = await sdk.fetch(id, "/api/thing", { method: "POST", body: "x=1" });
    expect(await response.json()).toEqual({ ok: true });
    expect(api.requests.map((request) => [request.headers.authorization, request.body])).toEqual([
      ["Bearer fake-access-token-1", "x=1"],
      ["Bearer fake-access-token-2", "x=1"],
    ]);
    expect(minted).toEqual(["fake-access-token-1", "fake-access-token-2"]);
  });

  it("returns an answer the hook does not recognise untouched, body still readable, without a retry", async () => {
    const { sdk, id, minted, calls } = await connection(async (response) => {
      // Not awaited: cancelling one branch of a cloned body settles only once the other branch is done too.
      void response.body?.cancel();
      return false;
    });
    const response = await sdk.fetch(id, "/api/thing");
    expect(await response.json()).toEqual({ ok: false, error: "token_expired" });
    expect(calls.hook).toBe(1);
    expect(minted).toHaveLength(1);
    expect(api.requests).toHaveLength(1);
  });

  it("treats a throwing hook as 'not refused'", async () => {
    const { sdk, id, minted } = await connection(async () => {
      throw new Error("hook broke");
    });
    expect((await sdk.fetch(id, "/api/thing")).status).toBe(200);
    expect(minted).toHaveLength(1);
  });

  it("never asks the hook when the body cannot be sent twice", async () => {
    const { sdk, id, calls } = await connection(okFalse);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("x=1"));
        controller.close();
      },
    });
    const response = await sdk.fetch(id, "/api/thing", { method: "POST", body, duplex: "half" } as RequestInit);
    expect(await response.json()).toEqual({ ok: false, error: "token_expired" });
    expect(calls.hook).toBe(0);
    expect(api.requests).toHaveLength(1);
  });

  it("leaves providers without the hook as they were: a 200 is returned as is", async () => {
    const { sdk, id, minted } = await connection();
    expect(await (await sdk.fetch(id, "/api/thing")).json()).toEqual({ ok: false, error: "token_expired" });
    expect(minted).toHaveLength(1);
  });
});
