// sdk.completeSiteSelection: validation of the input, routing by the provider prefix of `selection_id`, and the
// optional user_id / account_id the caller may pass through for the provider to check.
import { describe, expect, it } from "vitest";
import { createSDK } from "./create-sdk.js";
import { MemoryCache } from "./memory-cache.js";
import { MemoryStore } from "./memory-store.js";
import type { ProviderDefinition, SiteSelectionInput } from "./provider.js";
import { SdkError } from "./sdk-error.js";

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
    const sdk = createSDK({ store: new MemoryStore(), cache: new MemoryCache(), providers: [recordingProvider("jira", jira), recordingProvider("wiki", wiki)] });
    await sdk.completeSiteSelection({ selection_id: "wiki.abc_DEF-1", cloud_id: "c1", browser_binding: "b", user_id: "user-1", account_id: "acct-1" });
    expect(jira).toEqual([]);
    expect(wiki).toEqual([{ selection_id: "wiki.abc_DEF-1", cloud_id: "c1", browser_binding: "b", user_id: "user-1", account_id: "acct-1" }]);
  });

  it("names the bad field and calls no provider", async () => {
    const seen: SiteSelectionInput[] = [];
    const sdk = createSDK({ store: new MemoryStore(), cache: new MemoryCache(), providers: [recordingProvider("jira", seen)] });
    for (const [input, field] of [
      [{ selection_id: "no-dot", cloud_id: "c1" }, "completeSiteSelection.selection_id"],
      [{ selection_id: "jira.abc", cloud_id: "has space" }, "completeSiteSelection.cloud_id"],
      [{ selection_id: "jira.abc", cloud_id: "c1", user_id: "" }, "completeSiteSelection.user_id"],
      [{ selection_id: "jira.abc", cloud_id: "c1", account_id: "a\nb" }, "completeSiteSelection.account_id"],
    ] as const) {
      const error = await sdk.completeSiteSelection(input).catch((caught: unknown) => caught);
      expect(SdkError.is(error, "validation_failed")).toBe(true);
      expect((error as SdkError).details.field).toBe(field);
    }
    const unknown = await sdk.completeSiteSelection({ selection_id: "slack.abc", cloud_id: "c1" }).catch((caught: unknown) => caught);
    expect(SdkError.is(unknown, "provider_not_found")).toBe(true);
    expect(seen).toEqual([]);
  });
});
