// The worker is an application, not a library: one ESM entry, dist/main.js, with @sdk/* loaded from the workspace.
import { applicationConfig } from "../../tooling/tsup.shared.js";

export default applicationConfig({ main: "src/main.ts" });
