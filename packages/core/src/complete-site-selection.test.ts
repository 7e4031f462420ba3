// sdk.completeSiteSelection routes by the provider prefix of `selection_id` and hands the provider the optional
// user_id / account_id, so it can check them against the install (validation lives in the validation table).
import { describe, expect, it } from "vitest";
import { createSDK } from "./create-sdk.js";
import { MemoryCache } from "./memory-cache.js";
import { MemoryStore } from "./memory-store.js";
import type { ProviderDefinition, SiteSelectionInput } from "./provider.js";
import { testEncryptionKey } from "./test-encryption-key.js";

function recordingProvider(id: string, seen: SiteSelectionInput[]): ProviderDefinition {
  return {
    id,
    authType: "oauth2",
    parseCredentials: (credentials) => credentials as Record<string, unknown>,
    resolve: async () => ({ provider: id, integration_id: "x", account_id: "y", headers: {} }),
    async completeSiteSelection(_context, input) {
      seen.push(input);
      return { integration: { provider: id, account_id: "acct-1", created_by: "user-1", credentials: { refresh_token: "r" } } };
    },
  };
}

describe("completeSiteSelection", () => {
  it("routes by the provider prefix of selection_id and passes user_id / account_id through", async () => {
    const jira: SiteSelectionInput[] = [];
    const wiki: SiteSelectionInput[] = [];
    const sdk = createSDK({ store: new MemoryStore(), cache: new MemoryCache(), encryption: { keys: [testEncryptionKey()] }, providers: [recordingProvider("jira", jira), recordingProvider("wiki", wiki)] });
    await sdk.completeSiteSelection({ selection_id: "wiki.abc_DEF-1", cloud_id: "c1", browser_binding: "b", user_id: "user-1", account_id: "acct-1" });
    expect(jira).toEqual([]);
    expect(wiki).toEqual([{ selection_id: "wiki.abc_DEF-1", cloud_id: "c1", browser_binding: "b", user_id: "user-1", account_id: "acct-1" }]);
  });
});
