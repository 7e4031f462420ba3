// Shared vitest settings: when SDK_TEST_REPORT_DIR is set (tooling/scripts/test.mjs sets it), each package also
// writes a JSON report there so the root script can print one "N passed, N failed, N skipped" line.
import { basename } from "node:path";
import { defineConfig } from "vitest/config";

export function packageTestConfig(packageDir: string, overrides: Record<string, unknown> = {}) {
  const reportDir = process.env.SDK_TEST_REPORT_DIR;
  const name = basename(packageDir);
  return defineConfig({
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts"],
      passWithNoTests: true,
      testTimeout: 20_000,
      hookTimeout: 60_000,
      reporters: reportDir ? ["default", "json"] : ["default"],
      outputFile: reportDir ? { json: `${reportDir}/${name}.json` } : undefined,
      ...overrides,
    },
  });
}
