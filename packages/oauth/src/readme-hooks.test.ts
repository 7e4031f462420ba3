// The README documents every hook of defineOAuthProvider with its signature and an example: each function-valued
// option of OAuthProviderOptions must appear as a typed entry in the README's "Hooks" section, so a new hook cannot
// ship undocumented.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const options = readFileSync(new URL("./oauth-provider-options.ts", import.meta.url), "utf8");
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README: hooks of defineOAuthProvider", () => {
  it("shows every hook with a signature and an example", () => {
    const body = options.slice(options.indexOf("export interface OAuthProviderOptions"));
    const hooks = [...body.matchAll(/^ {2}(\w+)\?: (?:\(|ErrorMapper|ProviderDefinition\[|PendingInstallHooks)/gm)].map((match) => match[1]!);
    expect(hooks.length).toBeGreaterThanOrEqual(20);
    const section = readme.slice(readme.indexOf("## Hooks of `defineOAuthProvider`"), readme.indexOf("## Discovery"));
    // `identityResolver` is an option in the table above the section.
    const missing = hooks.filter((hook) => hook !== "identityResolver" && !new RegExp(`^ {2}${hook}: `, "m").test(section));
    expect(missing).toEqual([]);
    expect(readme).toContain("`identityResolver(userId)`");
  });
});
