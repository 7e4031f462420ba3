import { describe, expect, it } from "vitest";
import { defineOAuthProvider } from "./define-oauth-provider.js";

const base = {
  id: "acme",
  client: { clientId: "client", clientSecret: "secret", redirectUri: "https://app.example.test/callback" },
  endpoints: { authorizeUrl: "https://auth.example.test/authorize", tokenUrl: "https://auth.example.test/token" },
};

describe("rejectsCredentials option", () => {
  it("is exposed on the provider definition for sdk.fetch when given", async () => {
    const provider = defineOAuthProvider({ ...base, hooks: { rejectsCredentials: async (response) => response.headers.get("x-refused") === "1" } });
    expect(await provider.rejectsCredentials?.(new Response("{}", { headers: { "x-refused": "1" } }))).toBe(true);
    expect(await provider.rejectsCredentials?.(new Response("{}"))).toBe(false);
  });

  it("is absent when not given, so sdk.fetch reacts to 401 only", () => {
    expect(defineOAuthProvider(base).rejectsCredentials).toBeUndefined();
  });
});
