// accessible-resources: parsing (as unknown, field named on failure), merging duplicate entries, the product filter,
// and its faults during the callback.
import { afterEach, describe, expect, it } from "vitest";
import { failure } from "../test/observe.js";
import { parseAccessibleResources, sitesServing } from "./accessible-resources.js";
import { startAtlassianSandbox, type AtlassianSandbox } from "./testing.js";

const running: AtlassianSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
});

const entry = (id: string, scopes?: string[], avatarUrl?: string) => ({ id, url: `https://${id}.atlassian.net`, name: id, ...(scopes ? { scopes } : {}), ...(avatarUrl ? { avatarUrl } : {}) });

describe("parseAccessibleResources", () => {
  it("merges entries of one cloud id (scopes, avatar) in listing order", () => {
    const sites = parseAccessibleResources("jira", [entry("a", ["read:jira-work"]), entry("b"), entry("a", ["read:confluence-content.all"], "https://avatars.example/a.png")]);
    expect(sites).toEqual([
      { cloud_id: "a", name: "a", url: "https://a.atlassian.net", avatar_url: "https://avatars.example/a.png", scopes: ["read:jira-work", "read:confluence-content.all"] },
      { cloud_id: "b", name: "b", url: "https://b.atlassian.net", avatar_url: null, scopes: null },
    ]);
  });

  it("names the bad field without its value", () => {
    for (const [body, field] of [
      [{ sites: [] }, "body"],
      [[{ id: "a", name: "a" }], "0.url"],
      [[entry("has space")], "0.id"],
      [[entry("a", ["x"]), { ...entry("b"), url: "javascript:alert(1)" }], "1.url"],
    ] as const) {
      let caught: unknown;
      try {
        parseAccessibleResources("jira", body);
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: "provider_response_invalid", details: { provider: "jira", field } });
      expect((caught as Error).message).toContain("accessible-resources response");
      expect((caught as Error).message).not.toContain("javascript");
    }
  });
});

describe("sitesServing", () => {
  const sites = parseAccessibleResources("x", [entry("jira", ["read:jira-work"]), entry("desk", ["read:jira-work", "read:servicedesk-request"]), entry("wiki", ["read:confluence-content.all"]), entry("unknown")]);
  it("keeps sites whose scopes belong to the product, and sites listed without scopes", () => {
    expect(sitesServing(sites, "jira", ["read:jira-work"]).map((site) => site.cloud_id)).toEqual(["jira", "desk", "unknown"]);
    expect(sitesServing(sites, "jsm", ["read:servicedesk-request", "read:jira-user"]).map((site) => site.cloud_id)).toEqual(["desk", "unknown"]);
    expect(sitesServing(sites, "confluence", ["search:confluence"]).map((site) => site.cloud_id)).toEqual(["wiki", "unknown"]);
  });

  it("filters nothing when the product's configured scopes name no scope of the product", () => {
    expect(sitesServing(sites, "jsm", ["read:jira-work"]).map((site) => site.cloud_id)).toEqual(["jira", "desk", "wiki", "unknown"]);
  });
});

describe("during the callback", () => {
  async function callback(setup: (s: AtlassianSandbox) => void) {
    const s = await startAtlassianSandbox({ provider: { retry: { attempts: 2, baseDelayMs: 1 } } });
    running.push(s);
    const install = await s.sdk.buildInstallUrl({ provider: "jira", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await s.emulator.consent(install.url));
    setup(s);
    return failure(s.sdk.handleInstallCallback({ provider: "jira", code: back.searchParams.get("code")!, state: back.searchParams.get("state")!, browser_binding: install.browser_binding }));
  }

  it("maps a body that is not JSON, a wrong shape, 5xx and 401 to SDK errors", async () => {
    expect((await callback((s) => s.emulator.fault("accessible_resources", { kind: "malformed" }))).code).toBe("provider_response_invalid");
    const shape = await callback((s) => s.emulator.fault("accessible_resources", { kind: "status", status: 200, body: [{ id: "x" }] }));
    expect(shape).toMatchObject({ code: "provider_response_invalid", details: { field: "0.url" } });
    const down = await callback((s) => s.emulator.fault("accessible_resources", { kind: "status", status: 503 }, 2));
    expect(down).toMatchObject({ code: "provider_unavailable", retryable: true });
    const denied = await callback((s) => s.emulator.fault("accessible_resources", { kind: "status", status: 401, body: { code: 401, message: "Unauthorized" } }));
    expect(denied).toMatchObject({ code: "provider_error", details: { status: 401 } });
  });

  it("retries one 5xx within the call", async () => {
    const s = await startAtlassianSandbox({ provider: { retry: { attempts: 2, baseDelayMs: 1 } } });
    running.push(s);
    s.emulator.fault("accessible_resources", { kind: "status", status: 502 }, 1);
    await expect(s.connect({ product: "jira" })).resolves.toMatchObject({ status: "active" });
    expect(s.emulator.counters.accessible_resources).toBe(2);
  });
});
