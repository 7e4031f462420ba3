// Loads zod on first use, never at import: zod and its 60-odd locale modules are most of a cold import of the SDK, and
// a process that imports it validates nothing until createSDK, a provider factory or a public method runs. Every
// schema of the SDK packages is built through `lazySchema` (once, on first use), never at a module's top level.
import { createRequire } from "node:module";
import type { z } from "zod";

let loaded: typeof z | undefined;

/**
 * zod's `z`, required synchronously the first time a schema is needed. It is always zod's CommonJS build (from the ESM
 * and the CJS build of the SDK alike), so a process holds one copy of the SDK's zod; user schemas never meet it (they
 * are run through their own `~standard.validate`, see parseInput).
 */
export function zod(): typeof z {
  return (loaded ??= (createRequire(import.meta.url)("zod") as { z: typeof z }).z);
}

/** A schema built by `build` on its first call and kept for every later one (`idSchema()`). */
export function lazySchema<T>(build: (zod: typeof z) => T): () => T {
  let schema: T | undefined;
  return () => (schema ??= build(zod()));
}
