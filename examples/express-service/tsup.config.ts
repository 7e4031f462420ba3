// The service is an application, not a library: one ESM entry, dist/main.js; the dev emulators are a second chunk
// that only `--dev` loads.
import { applicationConfig } from "../../tooling/tsup.shared.js";

export default applicationConfig({ main: "src/main.ts" });
