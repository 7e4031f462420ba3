import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSDK } from "./create-sdk.js";
import { MemoryStore } from "./memory-store.js";
import type { ProviderDefinition } from "./provider.js";

// An API in the style of Slack's Web API: a refused token is HTTP 200 `{ ok: false, error }`, never a 401.
let server: Server;
let baseUrl: string;
const seen: string[] = [];

beforeEach(async () => {
  seen.length = 0;
  server = createServer((request, response) => {
    const token = (request.headers.authorization ?? "").replace(/^Bearer /, "");
    seen.push(token);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(token === "fresh" ? { ok: true, who: "fresh" } : { ok: false, error: "token_expired" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function stubProvider(rejectsCredentials?: ProviderDefinition["rejectsCredentials"]) {
  const calls = { invalidated: [] as Array<string | undefined>, hook: 0 };
  let token = "stale";
  const provider: ProviderDefinition = {
    id: "stub",
    authType: "oauth2",
    parseCredentials: (credentials) => credentials as Record<string, unknown>,
    async resolve(_context, integration) {
      return { provider: "stub", integration_id: integration.id, account_id: integration.account_id, access_token: token, api_base_url: baseUrl, headers: { Authorization: `Bearer ${token}` } };
    },
    async invalidate(_context, _integration, options) {
      calls.invalidated.push(options?.rejectedAccessToken);
      token = "fresh";
    },
    ...(rejectsCredentials
      ? {
          rejectsCredentials: async (response: Response) => {
            calls.hook += 1;
            return rejectsCredentials(response);
          },
        }
      : {}),
  };
  return { provider, calls };
}

async function connect(provider: ProviderDefinition) {
  const sdk = createSDK({ store: new MemoryStore(), providers: [provider] });
  const saved = await sdk.createConnection({ provider: "stub", account_id: "acct-1", created_by: "u1", credentials: { refresh_token: "r" } });
  return { sdk, id: saved.id };
}

const slackStyle = async (response: Response) => ((await response.json()) as { ok?: boolean }).ok === false;

describe("sdk.fetch and a provider's rejectsCredentials", () => {
  it("treats a recognised refusal like a 401: invalidates that token, resolves again and retries once", async () => {
    const { provider, calls } = stubProvider(slackStyle);
    const { sdk, id } = await connect(provider);
    const response = await sdk.fetch(id, "/api/thing", { method: "POST", body: "x=1" });
    expect(await response.json()).toEqual({ ok: true, who: "fresh" });
    expect(seen).toEqual(["stale", "fresh"]);
    expect(calls.invalidated).toEqual(["stale"]);
  });

  it("returns an answer the hook does not recognise untouched, body still readable, without a retry", async () => {
    const { provider, calls } = stubProvider(async (response) => {
      // Not awaited: cancelling one branch of a cloned body settles only once the other branch is done too.
      void response.body?.cancel();
      return false;
    });
    const { sdk, id } = await connect(provider);
    const response = await sdk.fetch(id, "/api/thing");
    expect(await response.json()).toEqual({ ok: false, error: "token_expired" });
    expect(calls.hook).toBe(1);
    expect(calls.invalidated).toEqual([]);
    expect(seen).toEqual(["stale"]);
  });

  it("treats a throwing hook as 'not refused'", async () => {
    const { provider, calls } = stubProvider(async () => {
      throw new Error("hook broke");
    });
    const { sdk, id } = await connect(provider);
    const response = await sdk.fetch(id, "/api/thing");
    expect(response.status).toBe(200);
    expect(calls.invalidated).toEqual([]);
  });

  it("never asks the hook when the body cannot be sent twice", async () => {
    const { provider, calls } = stubProvider(slackStyle);
    const { sdk, id } = await connect(provider);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("x=1"));
        controller.close();
      },
    });
    const response = await sdk.fetch(id, "/api/thing", { method: "POST", body, duplex: "half" } as RequestInit);
    expect(await response.json()).toEqual({ ok: false, error: "token_expired" });
    expect(calls.hook).toBe(0);
    expect(seen).toEqual(["stale"]);
  });

  it("leaves providers without the hook as they were: a 200 is returned as is", async () => {
    const { provider, calls } = stubProvider();
    const { sdk, id } = await connect(provider);
    const response = await sdk.fetch(id, "/api/thing");
    expect(await response.json()).toEqual({ ok: false, error: "token_expired" });
    expect(calls.invalidated).toEqual([]);
  });
});
