// defineOAuthProvider checks its options when it is called: a missing or bad one is `misconfigured` naming
// `defineOAuthProvider.{option}`, like every provider factory, and never quotes the value (it may be the secret).
import { SdkError } from "@sdk/core";
import { describe, expect, it } from "vitest";
import { defineOAuthProvider } from "./define-oauth-provider.js";

const SECRET = "planted-client-secret-5150";
const valid = {
  id: "acme",
  clientId: "client",
  clientSecret: SECRET,
  redirectUri: "https://app.example/callback",
  authorizeUrl: "https://auth.acme.example/authorize",
  tokenUrl: "https://auth.acme.example/token",
};

function refusal(options: Record<string, unknown>): SdkError {
  try {
    defineOAuthProvider(options as typeof valid);
  } catch (error) {
    if (SdkError.is(error)) return error;
    throw error;
  }
  throw new Error("expected defineOAuthProvider to throw");
}

describe("defineOAuthProvider options", () => {
  it.each<[Record<string, unknown>, string, string]>([
    [{ tokenUrl: undefined }, "defineOAuthProvider.tokenUrl", 'defineOAuthProvider() option "tokenUrl" is required unless issuer is given'],
    [{ authorizeUrl: undefined, tokenUrl: undefined, discovery: true }, "defineOAuthProvider.issuer", "is required when discovery is true"],
    [{ tokenUrl: 42 }, "defineOAuthProvider.tokenUrl", "must be an http(s) URL or a function"],
    [{ clientId: undefined }, "defineOAuthProvider.clientId", "is required"],
    [{ clientSecret: "" }, "defineOAuthProvider.clientSecret", "is invalid"],
    [{ redirectUri: `not a url ${SECRET}` }, "defineOAuthProvider.redirectUri", "is invalid"],
    [{ id: "Acme" }, "defineOAuthProvider.id", "is invalid"],
    [{ scopes: ["read write"] }, "defineOAuthProvider.scopes[0]", "is invalid"],
    [{ authorizationResponseIssParameterSupported: true }, "defineOAuthProvider.issuer", "is required when authorizationResponseIssParameterSupported is true"],
  ])("refuses %j naming %s", (override, field, text) => {
    const error = refusal({ ...valid, ...override });
    expect(error.code).toBe("misconfigured");
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(text);
    expect(error.message).not.toContain(SECRET);
  });

  it("takes tokenUrl as a function of the install", () => {
    expect(defineOAuthProvider({ ...valid, tokenUrl: () => "https://auth.acme.example/token" }).id).toBe("acme");
  });
});
