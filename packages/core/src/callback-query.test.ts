// handleInstallCallback({ query }): the whole redirect query as URLSearchParams, URL or a parsed object reaches the
// provider as callback fields; `null` fields read as absent; `provider` / `browser_binding` never come from the
// query; a repeated parameter or a disagreement with an explicit field is validation_failed naming the field.
import { describe, expect, it } from "vitest";
import { createSDK } from "./create-sdk.js";
import { MemoryCache } from "./memory-cache.js";
import { MemoryStore } from "./memory-store.js";
import type { InstallCallbackInput, ProviderDefinition } from "./provider.js";
import { SdkError } from "./sdk-error.js";
import { testEncryptionKey } from "./test-encryption-key.js";

function recordingProvider(id: string, seen: InstallCallbackInput[]): ProviderDefinition {
  return {
    id,
    authType: "oauth2",
    parseCredentials: (credentials) => credentials as Record<string, unknown>,
    resolve: async () => ({ provider: id, integration_id: "x", account_id: "y", headers: {} }),
    async handleInstallCallback(_context, input) {
      seen.push(input);
      return { integration: { provider: id, account_id: "acct-1", created_by: "user-1", credentials: { refresh_token: "r" } } };
    },
  };
}

function setup() {
  const seen: InstallCallbackInput[] = [];
  const sdk = createSDK({ store: new MemoryStore(), cache: new MemoryCache(), encryption: { keys: [testEncryptionKey()] }, providers: [recordingProvider("sentry", seen)] });
  return { sdk, seen };
}

const redirect = "https://app.example.com/sentry/callback?code=c0de&state=s1.sig&installationId=inst-1&orgSlug=acme&provider=evil&browser_binding=evil";

describe("handleInstallCallback({ query })", () => {
  it.each([
    ["a URL", new URL(redirect)],
    ["URLSearchParams", new URL(redirect).searchParams],
    ["a parsed object (Express req.query)", Object.fromEntries(new URL(redirect).searchParams)],
  ])("reads every field from %s, never provider or browser_binding", async (_label, query) => {
    const { sdk, seen } = setup();
    await sdk.handleInstallCallback({ provider: "sentry", query, browser_binding: "cookie-binding" });
    expect(seen).toEqual([{ provider: "sentry", code: "c0de", state: "s1.sig", installationId: "inst-1", orgSlug: "acme", browser_binding: "cookie-binding" }]);
  });

  it("treats null as absent, in the explicit form and in a parsed object", async () => {
    const { sdk, seen } = setup();
    const params = new URLSearchParams("code=c0de");
    await sdk.handleInstallCallback({ provider: "sentry", code: params.get("code"), state: params.get("state"), error: params.get("error"), browser_binding: null });
    await sdk.handleInstallCallback({ provider: "sentry", query: { code: "c0de", state: null, orgSlug: undefined } });
    expect(seen).toEqual([{ provider: "sentry", code: "c0de" }, { provider: "sentry", code: "c0de" }]);
  });

  it("accepts an explicit field that agrees with the query, refuses one that differs", async () => {
    const { sdk, seen } = setup();
    await sdk.handleInstallCallback({ provider: "sentry", query: new URLSearchParams("code=c0de"), code: "c0de" });
    expect(seen).toHaveLength(1);
    const error = await sdk.handleInstallCallback({ provider: "sentry", query: new URLSearchParams("code=c0de"), code: "other" }).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "validation_failed") && error.details.field).toBe("handleInstallCallback.code");
    expect(seen).toHaveLength(1);
  });

  it.each([
    ["a repeated parameter", new URLSearchParams("code=a&code=b"), "handleInstallCallback.query.code"],
    ["a repeated parameter in a parsed object", { state: ["a", "b"] }, "handleInstallCallback.query.state"],
    ["a nested value", { code: { $ne: "" } }, "handleInstallCallback.query.code"],
    ["an overlong value", { state: "s".repeat(9000) }, "handleInstallCallback.query.state"],
    ["a query that is not one", "code=a", "handleInstallCallback.query"],
  ])("refuses %s with validation_failed naming it", async (_label, query, field) => {
    const { sdk, seen } = setup();
    const error = await sdk.handleInstallCallback({ provider: "sentry", query: query as URLSearchParams }).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "validation_failed") ? error.details.field : error).toBe(field);
    expect(seen).toEqual([]);
  });

  it("provider_not_found lists the registered ids", async () => {
    const { sdk } = setup();
    const error = await sdk.handleInstallCallback({ provider: "slack", query: new URLSearchParams("code=c") }).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "provider_not_found") && error.details.registered).toEqual(["sentry"]);
    expect((error as Error).message).toContain('registered: "sentry"');
  });
});
