// Shared tsup settings: every package ships ESM + CJS with .d.ts / .d.cts, one entry per public subpath; the
// examples are applications and build one ESM entry.
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

/** An application (an example service, the demo): one ESM entry for Node 20, no types, `@sdk/*` from the workspace. */
export function applicationConfig(entry: Record<string, string>) {
  return defineConfig({
    entry,
    format: ["esm"],
    target: "node20",
    clean: true,
    sourcemap: true,
    dts: false,
  });
}
