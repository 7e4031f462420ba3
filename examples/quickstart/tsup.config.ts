// The demo is an application, not a library: one ESM entry, dist/main.js, with @sdk/* loaded from the workspace.
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { main: "src/main.ts" },
  format: ["esm"],
  target: "node20",
  clean: true,
  sourcemap: true,
  dts: false,
});
