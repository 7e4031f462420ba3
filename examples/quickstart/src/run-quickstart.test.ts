import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { startDemoApi } from "./demo-api.js";
import { runQuickstart } from "./run-quickstart.js";
import { steps } from "./steps/index.js";
import { mask } from "./trace.js";

describe("quickstart", () => {
  it("walks through every step with one line each, shows real credential injection, and prints no secret", async () => {
    const api = await startDemoApi();
    const lines: string[] = [];
    try {
      const result = await runQuickstart({ print: (line) => lines.push(line), api });
      expect(result.walkThroughs).toBe(steps.length);
      expect(lines.filter((line) => line.startsWith("  ✓ "))).toHaveLength(result.steps);
      const output = lines.join("\n");
      // The story: the words defined once before they are used, each walk-through's promise, what to try next.
      expect(lines.filter((line) => line === "Words used below")).toHaveLength(1);
      expect(output.indexOf("Words used below")).toBeLessThan(output.indexOf("[1/"));
      for (const word of ["refresh token", "access token", "emulator", "state, binding", "kid"]) expect(output).toMatch(new RegExp(`^  ${word} +\\S`, "m"));
      expect(lines.filter((line) => line.startsWith("  What this proves: "))).toHaveLength(steps.length);
      expect(lines.every((line) => [...line].length <= 112 || line.startsWith("  ✓ "))).toBe(true);
      expect(output.lastIndexOf("What to try next")).toBeGreaterThan(output.lastIndexOf("  ✓ "));
      // What to try next names only scripts and files that exist.
      const root = new URL("../../../", import.meta.url);
      const scripts = (JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { scripts: Record<string, string> }).scripts;
      const next = lines.slice(lines.indexOf("What to try next") + 1).join(" ");
      const commands = [...next.matchAll(/pnpm ([\w:-]+)/g)].map((match) => match[1]!.replace(/:$/, ""));
      expect(commands.length).toBeGreaterThanOrEqual(3);
      for (const command of commands) expect(scripts, command).toHaveProperty(command);
      const paths = [...next.matchAll(/((?:examples|packages)\/[\w./-]+)/g)].map((match) => match[1]!.replace(/[.:]$/, ""));
      expect(paths.length).toBeGreaterThanOrEqual(2);
      for (const path of paths) expect(existsSync(new URL(path, root)), path).toBe(true);
      expect(output).toMatch(/sdk\.fetch \/v1\/whoami\s+200 .*"authenticated_as":"acct-demo \(api key\)"/);
      expect(output).toMatch(/updateCredentials .*fetch -> 200 .*rotated api key/);
      expect(output).toMatch(/sdk\.fetch \/v1\/reports\s+200 .*signing key/);
      expect(output).toContain("api_key encrypted (kid demo-key)");
      expect(output).toContain("resolveConnection now -> integration_not_found");
      expect(output).toContain("validation_failed: credentials never leave");
      expect(output).toMatch(/handleInstallCallback\s+atlassian_site_selection_required: acme, beta/);
      expect(output).toMatch(/completeSiteSelection\s+picked beta \(cloud-beta\)/);
      expect(output).toMatch(/clock \+1h, resolve\s+refreshed once \(emulator refreshes: 1\)/);
      expect(output).toMatch(/sdk\.fetch \/rest\/api\/3\/myself 200/);
      expect(output).toMatch(/clock \+12h, resolve\s+bot and user chains refreshed separately \(oauth\.v2\.access refreshes: 2\)/);
      expect(output).toMatch(/sdk\.fetch \/chat\.postMessage 200 ok=true/);
      expect(output).toMatch(/auth\.revoke called for 2 tokens/);
      expect(output).toMatch(/clock \+8h, resolve .*refreshes: 1 /);
      expect(output).toMatch(/sdk\.fetch projects\s+200 demo-org-project/);
      expect(output).toMatch(/uninstall webhook\s+200; signature verified, integration now revoked/);
      expect(output).toMatch(/internal-integration token .*projects 200/);
      const secrets = api.grantedValues().map((value) => value.replace(/^Bearer /, "")).filter((value) => value.length >= 16);
      expect(secrets.length).toBeGreaterThanOrEqual(3);
      for (const secret of secrets) {
        expect(output).not.toContain(secret);
        expect(output.includes(mask(secret))).toBe(true);
      }
    } finally {
      await api.close();
    }
  });
});
