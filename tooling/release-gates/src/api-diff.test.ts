import { describe, expect, it } from "vitest";
import { classifyReportChange, formatReportDiff } from "../../scripts/lib/api-diff.mjs";
import { entryForReportPath, reportNameFor } from "../../scripts/lib/packages.mjs";

const report = (...declarations: string[]) =>
  ['## API Report File for "@sdk/demo"', "", "```ts", "", ...declarations.flatMap((line) => ["// @public", line, ""]), "```", ""].join("\n");

describe("classifyReportChange", () => {
  const base = report("export function connect(id: string): Promise<void>;", "export const VERSION: string;");

  it("needs nothing when the report did not move", () => {
    expect(classifyReportChange(base, base)).toBe("none");
  });

  it("calls a new export an addition (minor)", () => {
    const next = report("export function connect(id: string): Promise<void>;", "export function disconnect(): void;", "export const VERSION: string;");
    expect(classifyReportChange(base, next)).toBe("minor");
  });

  it("calls a removed export a removal (major)", () => {
    expect(classifyReportChange(base, report("export const VERSION: string;"))).toBe("major");
  });

  it("calls a changed signature a change (major), even one a caller might survive", () => {
    const next = report("export function connect(id: string, retries?: number): Promise<void>;", "export const VERSION: string;");
    expect(classifyReportChange(base, next)).toBe("major");
  });

  it("lets comment and blank-line changes through as patch", () => {
    const documented = base.replaceAll("// @public\n", "// @public (undocumented)\n").replace("```ts\n", "```ts\n\n\n");
    expect(classifyReportChange(base, documented)).toBe("patch");
  });

  it("treats a new report as an addition and a deleted one as a removal", () => {
    expect(classifyReportChange(undefined, base)).toBe("minor");
    expect(classifyReportChange(base, undefined)).toBe("major");
  });

  it("prints which side is committed and which is built", () => {
    const diff = formatReportDiff("api-reports/demo.api.md", base, report("export const VERSION: string;"));
    expect(diff).toContain("--- api-reports/demo.api.md (committed)");
    expect(diff).toContain("+++ api-reports/demo.api.md (built)");
    expect(diff).toContain("-export function connect(id: string): Promise<void>;");
  });
});

describe("report names", () => {
  const packages = [{ name: "@sdk/core", entries: [{ subpath: ".", reportPath: "api-reports/core.api.md" }, { subpath: "./testing", reportPath: "api-reports/core.testing.api.md" }] }];

  it("gives each export subpath its own file", () => {
    expect(reportNameFor("core", ".")).toBe("core");
    expect(reportNameFor("core", "./testing")).toBe("core.testing");
    expect(reportNameFor("provider-slack", "./testing/server")).toBe("provider-slack.testing.server");
  });

  it("maps a report back to its package, also for a subpath that is gone", () => {
    expect(entryForReportPath(packages, "api-reports/core.testing.api.md")).toEqual({ packageName: "@sdk/core", subpath: "./testing" });
    expect(entryForReportPath(packages, "api-reports/storage-redis.cluster.api.md")).toEqual({ packageName: "@sdk/storage-redis", subpath: "./cluster" });
    expect(entryForReportPath(packages, "api-reports/README.md")).toBeUndefined();
  });
});
