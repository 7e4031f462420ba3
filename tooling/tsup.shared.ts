// Shared tsup settings: every package ships ESM + CJS with .d.ts / .d.cts, one entry per public subpath.
import { defineConfig } from "tsup";

export function packageConfig(entry: Record<string, string>) {
  return defineConfig({
    entry,
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node20",
    splitting: false,
    treeshake: true,
  });
}
