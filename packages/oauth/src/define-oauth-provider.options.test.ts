// defineOAuthProvider checks its options when it is called: a missing or bad one is `misconfigured` naming
// `defineOAuthProvider.{group}.{option}`, like every provider factory, and never quotes the value (it may be the secret).
import { SdkError } from "@sdk/core";
import { describe, expect, it } from "vitest";
import { defineOAuthProvider } from "./define-oauth-provider.js";
import type { OAuthProviderOptions } from "./oauth-provider-options.js";

const SECRET = "planted-client-secret-5150";
const client = { clientId: "client", clientSecret: SECRET, redirectUri: "https://app.example/callback" };
const endpoints = { authorizeUrl: "https://auth.acme.example/authorize", tokenUrl: "https://auth.acme.example/token" };

function refusal(options: { id?: string; client?: Record<string, unknown>; endpoints?: Record<string, unknown> }): SdkError {
  try {
    defineOAuthProvider({ id: "acme", ...options } as unknown as OAuthProviderOptions);
  } catch (error) {
    if (SdkError.is(error)) return error;
    throw error;
  }
  throw new Error("expected defineOAuthProvider to throw");
}

describe("defineOAuthProvider options", () => {
  it.each<[{ id?: string; client?: Record<string, unknown>; endpoints?: Record<string, unknown> }, string, string]>([
    [{ client, endpoints: { ...endpoints, tokenUrl: undefined } }, "defineOAuthProvider.endpoints.tokenUrl", 'defineOAuthProvider() option "endpoints.tokenUrl" is required unless issuer is given'],
    [{ client, endpoints: { discovery: true } }, "defineOAuthProvider.endpoints.issuer", "is required when discovery is true"],
    [{ client, endpoints: { ...endpoints, tokenUrl: 42 } }, "defineOAuthProvider.endpoints.tokenUrl", "must be an http(s) URL or a function"],
    [{ client: { ...client, clientId: undefined }, endpoints }, "defineOAuthProvider.client.clientId", "is required"],
    [{ client: { ...client, clientSecret: "" }, endpoints }, "defineOAuthProvider.client.clientSecret", "is invalid"],
    [{ client: { ...client, redirectUri: `not a url ${SECRET}` }, endpoints }, "defineOAuthProvider.client.redirectUri", "is invalid"],
    [{ id: "Acme", client, endpoints }, "defineOAuthProvider.id", "is invalid"],
    [{ client: { ...client, scopes: ["read write"] }, endpoints }, "defineOAuthProvider.client.scopes[0]", "is invalid"],
    [{ client, endpoints: { ...endpoints, authorizationResponseIssParameterSupported: true } }, "defineOAuthProvider.endpoints.issuer", "is required when authorizationResponseIssParameterSupported is true"],
    [{ endpoints }, "defineOAuthProvider.client", "is required"],
  ])("refuses %j naming %s", (options, field, text) => {
    const error = refusal(options);
    expect(error.code).toBe("misconfigured");
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(text);
    expect(error.message).not.toContain(SECRET);
  });

  it("takes tokenUrl as a function of the install", () => {
    expect(defineOAuthProvider({ id: "acme", client, endpoints: { ...endpoints, tokenUrl: () => "https://auth.acme.example/token" } }).id).toBe("acme");
  });
});
