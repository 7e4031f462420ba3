// A provider object never shows its client secret: not through util.inspect, JSON.stringify or any public field
// (it is a private field). The fake server's default client secret is random on every start.
import { reachableSecrets } from "@sdk/core/testing";
import { describe, expect, it } from "vitest";
import { defineOAuthProvider } from "./define-oauth-provider.js";
import { startOAuthEmulator } from "./testing/start-oauth-emulator.js";

const SECRET = "planted-client-secret-7f3a9c1e5b2d";

describe("secrets on provider objects", () => {
  it("defineOAuthProvider keeps clientSecret out of inspect, JSON and every public field", () => {
    const provider = defineOAuthProvider({
      id: "acme",
      client: { clientId: "client", clientSecret: SECRET, redirectUri: "https://app.example/cb", scopes: ["read"] },
      endpoints: { authorizeUrl: "https://auth.example/authorize", tokenUrl: "https://auth.example/token" },
    });
    expect(reachableSecrets(provider, [SECRET])).toEqual([]);
    expect(reachableSecrets([provider], [SECRET])).toEqual([]);
    // The engine object behind the opaque type keeps its options, minus the secret.
    expect((provider as unknown as { options: object }).options).not.toHaveProperty("clientSecret");
  });

  it("the fake server's default client secret is random per start", async () => {
    const [first, second] = await Promise.all([startOAuthEmulator({ redirectUris: [] }), startOAuthEmulator({ redirectUris: [] })]);
    try {
      expect(first.clientSecret).not.toBe(second.clientSecret);
      expect(first.clientSecret.length).toBeGreaterThanOrEqual(32);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
