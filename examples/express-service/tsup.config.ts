// The service is an application, not a library: one ESM entry, dist/main.js; the dev emulators are a second chunk
// that only `--dev` loads.
import { defineConfig } from "tsup";

export default defineConfig({
  entry: { main: "src/main.ts" },
  format: ["esm"],
  target: "node20",
  clean: true,
  sourcemap: true,
  dts: false,
});
