import { defineConfig } from "tsup";
import { packageConfig } from "../../tooling/tsup.shared.js";

// Three entries share most of their code (SdkError, the cipher, the schemas). Split into shared chunks so that
// `@sdk/core`, `@sdk/core/provider-kit` and `@sdk/core/testing` load one copy of each module: an SdkError thrown by
// a provider-kit helper is then an `instanceof` the SdkError a service imports from the main entry.
const config = packageConfig({ index: "src/index.ts", "provider-kit": "src/provider-kit.ts", testing: "src/testing.ts" });
// `shims`: lazy-zod.ts requires zod through `createRequire(import.meta.url)`, which the CJS build needs shimmed.
export default defineConfig({ ...(config as object), splitting: true, shims: true });
