// TokenEndpoint alone, against the fake RFC 6749 server: the client follows the SDK's fetch (a new fetch, a new
// client), the token URL may depend on the install, and every token answer goes through one parser with the scope cap.
import { SdkError } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { partContext } from "../test/provider-context.js";
import { startOAuthEmulator, type OAuthEmulator } from "./testing/start-oauth-emulator.js";
import { TokenEndpoint } from "./token-endpoint.js";

let server: OAuthEmulator | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const base = { id: "acme", clientId: "client", redirectUri: "https://app.test/cb", authorizeUrl: "https://auth.test/authorize" };

describe("TokenEndpoint", () => {
  it("binds its client to the SDK's fetch and rebuilds it when the fetch changes", async () => {
    server = await startOAuthEmulator({ redirectUris: [] });
    const endpoint = new TokenEndpoint({ ...base, tokenUrl: server.tokenUrl }, "secret");
    const { context } = partContext();
    const first = endpoint.client(context);
    expect(endpoint.client(context)).toBe(first);
    expect(endpoint.client(context, { retryOnTimeout: false })).not.toBe(first);
    const calls: string[] = [];
    const counting: typeof fetch = (input, init) => {
      calls.push(String(input));
      return fetch(input, init);
    };
    const other = endpoint.client({ ...context, fetch: counting });
    expect(other).not.toBe(first);
    // The fake server refuses this unknown client: the call went out through the new fetch, with the client credentials.
    const refused = await other.post(server.tokenUrl, { grant_type: "refresh_token", refresh_token: "unknown" }).catch((error: unknown) => error);
    expect(SdkError.is(refused, "invalid_client")).toBe(true);
    expect(calls).toEqual([server.tokenUrl]);
  });

  it("asks a tokenUrl function for the install's or the integration's endpoint", () => {
    const endpoint = new TokenEndpoint({ ...base, tokenUrl: (target) => `https://auth.test/${target.input ? "exchange" : `refresh/${target.integration?.id}`}` }, "secret");
    expect(endpoint.url({ input: { provider: "acme" } })).toBe("https://auth.test/exchange");
    expect(endpoint.url({ integration: { id: "i1" } as never })).toBe("https://auth.test/refresh/i1");
  });

  it("parses RFC answers for the chain asked and refuses more scopes than the limit", () => {
    const endpoint = new TokenEndpoint({ ...base, tokenUrl: "https://auth.test/token", responseLimits: { maxScopes: 2 } }, "secret");
    expect(endpoint.parse({ access_token: "a", token_type: "Bearer", expires_in: 60, scope: "x y" }, "refresh_token", "")).toEqual({
      "": expect.objectContaining({ access_token: "a", expires_in: 60, scopes: ["x", "y"] }),
    });
    const tooMany = (() => {
      try {
        endpoint.parse({ access_token: "a", token_type: "Bearer", scope: "x y z" }, "authorization_code", "");
      } catch (error) {
        return error;
      }
    })();
    expect(SdkError.is(tooMany)).toBe(true);
    expect((tooMany as SdkError).details).toMatchObject({ limit: "maxScopes" });
  });
});
