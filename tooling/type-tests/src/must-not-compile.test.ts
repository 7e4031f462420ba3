// Compiles fixtures/must-not-compile.ts with this package's compiler options and checks that TypeScript reports
// exactly the error marked on each line (`// TSnnnn: why`), and nothing else: the types catch those mistakes.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixture = join(root, "fixtures", "must-not-compile.ts");

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(root, "tsconfig.json");
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, root).options;
}

describe("fixtures/must-not-compile.ts", () => {
  it("fails to compile with exactly the marked errors", () => {
    const program = ts.createProgram([fixture], { ...compilerOptions(), noEmit: true });
    const reported = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file?.fileName === fixture)
      .map((diagnostic) => `${diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start!).line + 1}: TS${diagnostic.code}`);
    const expected = readFileSync(fixture, "utf8")
      .split("\n")
      .flatMap((line, index) => [...line.matchAll(/\/\/ (TS\d+):/g)].map((match) => `${index + 1}: ${match[1]}`));
    expect(expected.length).toBeGreaterThan(5);
    expect([...new Set(reported)].sort()).toEqual(expected.sort());
  }, 60_000);
});
