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
