// The README documents every hook of defineOAuthProvider with its signature and an example: each member of
// OAuthProviderHooks must appear as a typed entry under `hooks` in the README's "Hooks" section, so a new hook cannot
// ship undocumented.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const options = readFileSync(new URL("./oauth-provider-options.ts", import.meta.url), "utf8");
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README: hooks of defineOAuthProvider", () => {
  it("shows every hook with a signature and an example", () => {
    const start = options.indexOf("export interface OAuthProviderHooks");
    const body = options.slice(start, options.indexOf("\n}\n", start));
    const hooks = [...body.matchAll(/^ {2}(\w+)\?: /gm)].map((match) => match[1]!);
    expect(hooks.length).toBeGreaterThanOrEqual(20);
    const section = readme.slice(readme.indexOf("## Hooks of `defineOAuthProvider`"), readme.indexOf("## Discovery"));
    const missing = hooks.filter((hook) => !new RegExp(`^ {4}${hook}: `, "m").test(section));
    expect(missing).toEqual([]);
    // The one function among the other options, documented beside the hooks.
    expect(readme).toContain("`client.identityResolver(userId)`");
  });
});
