// Authorization server metadata (RFC 8414 / OIDC Discovery) read by ServerMetadata: the well-known URLs of an issuer,
// the fake RFC 6749 server's document read once and turned into settings, the OIDC fallback, and every refusal:
// another issuer (RFC 8414 3.3), a missing endpoint, no usable client authentication, no document at all, and an
// outage that is not remembered.
import { SdkError } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { ServerMetadata, metadataUrls } from "./server-metadata.js";
import { startOAuthEmulator, type OAuthEmulator } from "./testing/start-oauth-emulator.js";

let server: OAuthEmulator | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ISSUER = "https://auth.acme.example";
/** A fetch that answers each URL from `documents` (a 404 for any other), counting calls. */
function documents(byUrl: Record<string, unknown>) {
  const calls: string[] = [];
  const fetch = (async (input: string | URL | Request) => {
    const url = String(input);
    calls.push(url);
    if (!(url in byUrl)) return new Response("not found", { status: 404 });
    const body = byUrl[url];
    return typeof body === "string" ? new Response(body, { status: 200, headers: { "content-type": "text/html" } }) : Response.json(body);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const document = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/oauth2/authorize`,
  token_endpoint: `${ISSUER}/oauth2/token`,
  response_types_supported: ["code"],
};

async function refusal(promise: Promise<unknown>): Promise<SdkError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!SdkError.is(error)) throw new Error(`expected an SdkError, got ${String(error)}`);
  return error;
}

describe("metadataUrls", () => {
  it("puts RFC 8414's well-known segment before the issuer's path and appends OIDC's after it", () => {
    expect(metadataUrls(ISSUER)).toEqual([`${ISSUER}/.well-known/oauth-authorization-server`, `${ISSUER}/.well-known/openid-configuration`]);
    expect(metadataUrls(`${ISSUER}/tenants/42/`)).toEqual([`${ISSUER}/.well-known/oauth-authorization-server/tenants/42`, `${ISSUER}/tenants/42/.well-known/openid-configuration`]);
  });
});

describe("ServerMetadata", () => {
  it("reads the fake server's RFC 8414 document once and takes its endpoints, auth method and PKCE support", async () => {
    server = await startOAuthEmulator({ redirectUris: ["https://app.example/cb"], clientAuth: "client_secret_post" });
    const metadata = new ServerMetadata("acme", server.issuer);
    const context = { fetch: globalThis.fetch };
    const settings = await metadata.settings(context);
    expect(settings).toEqual({
      authorizeUrl: server.authorizeUrl,
      tokenUrl: server.tokenUrl,
      revokeUrl: server.revokeUrl,
      clientAuth: "client_secret_post",
      pkce: true,
      authorizationResponseIssParameterSupported: false,
    });
    expect(await metadata.settings(context)).toBe(settings);
    expect(server.counters.metadata).toBe(1);
  });

  it("falls back to OIDC discovery, and reads what the document says about client auth, PKCE and iss", async () => {
    const { fetch, calls } = documents({
      [`${ISSUER}/.well-known/openid-configuration`]: {
        ...document,
        token_endpoint_auth_methods_supported: ["private_key_jwt", "client_secret_basic"],
        code_challenge_methods_supported: ["plain"],
        authorization_response_iss_parameter_supported: true,
      },
    });
    expect(await new ServerMetadata("acme", ISSUER).settings({ fetch })).toEqual({
      authorizeUrl: document.authorization_endpoint,
      tokenUrl: document.token_endpoint,
      clientAuth: "client_secret_basic",
      pkce: false,
      authorizationResponseIssParameterSupported: true,
    });
    expect(calls).toEqual(metadataUrls(ISSUER));
  });

  it("skips an HTML page where a document should be (a site's catch-all route)", async () => {
    const { fetch } = documents({ [`${ISSUER}/.well-known/oauth-authorization-server`]: "<!doctype html><title>Home</title>", [`${ISSUER}/.well-known/openid-configuration`]: document });
    expect((await new ServerMetadata("acme", ISSUER).settings({ fetch })).tokenUrl).toBe(document.token_endpoint);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["another issuer (RFC 8414 3.3: must not be used)", { ...document, issuer: "https://evil.example" }, "issuer"],
    ["no token endpoint", { ...document, token_endpoint: undefined }, "token_endpoint"],
    ["a token endpoint that is not http(s)", { ...document, token_endpoint: "javascript:alert(1)" }, "token_endpoint"],
    ["no client authentication this SDK does", { ...document, token_endpoint_auth_methods_supported: ["private_key_jwt", "tls_client_auth"] }, "token_endpoint_auth_methods_supported"],
  ])("refuses %s as provider_response_invalid naming the field", async (_case, body, field) => {
    const { fetch } = documents({ [`${ISSUER}/.well-known/oauth-authorization-server`]: body });
    const error = await refusal(new ServerMetadata("acme", ISSUER).settings({ fetch }));
    expect(error.code).toBe("provider_response_invalid");
    expect(error.details.field).toBe(field);
  });

  it("is misconfigured when the issuer serves no document at all", async () => {
    const { fetch } = documents({});
    const error = await refusal(new ServerMetadata("acme", ISSUER).settings({ fetch }));
    expect(error.code).toBe("misconfigured");
    expect(error.message).toContain("give authorizeUrl and tokenUrl");
  });

  it("does not remember an outage: the next call reads the document", async () => {
    let down = true;
    const { fetch: serve } = documents({ [`${ISSUER}/.well-known/oauth-authorization-server`]: document });
    const fetch = ((input: string | URL | Request, init?: RequestInit) => (down ? Promise.reject(new TypeError("fetch failed")) : serve(input, init))) as typeof globalThis.fetch;
    const metadata = new ServerMetadata("acme", ISSUER);
    const error = await refusal(metadata.settings({ fetch }));
    expect([error.code, error.retryable]).toEqual(["provider_unavailable", true]);
    down = false;
    expect((await metadata.settings({ fetch })).authorizeUrl).toBe(document.authorization_endpoint);
  });
});
