// The package's own error codes: listed in its README with their retryable flag, and typed through the
// SdkErrorDetailsMap augmentation.
import { readFile } from "node:fs/promises";
import { SdkError } from "@sdk/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import { ATLASSIAN_ERROR_CODES } from "./atlassian-errors.js";
import type { SelectableSite } from "./site-selection-store.js";

describe("Atlassian error codes", () => {
  it("the README's table lists every code once, with its default retryable flag", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const rows = new Map([...readme.matchAll(/^\| `([a-z_]+)` \| .+ \| (yes|no) \|$/gm)].map((match) => [match[1]!, match[2] === "yes"]));
    expect([...rows.keys()].sort()).toEqual([...ATLASSIAN_ERROR_CODES].sort());
    for (const code of ATLASSIAN_ERROR_CODES) expect(rows.get(code), code).toBe(new SdkError(code, "m").retryable);
  });

  it("SdkError.is narrows details to the code's shape", () => {
    const error: unknown = new SdkError("atlassian_site_selection_required", "pick a site", {
      details: { provider: "jira", selection_id: "jira.abc", sites: [{ cloud_id: "c1", name: "Acme", url: "https://acme.atlassian.net", avatar_url: null }], expires_at: "2026-11-30T10:00:00.000Z" },
    });
    if (!SdkError.is(error, "atlassian_site_selection_required")) throw new Error("not recognised");
    expectTypeOf(error.details.selection_id).toEqualTypeOf<string>();
    expectTypeOf(error.details.sites).toEqualTypeOf<SelectableSite[]>();
    expect(error.details.sites[0]?.cloud_id).toBe("c1");
  });
});
