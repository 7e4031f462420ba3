// `pnpm demo` runs this file (built to dist/main.js): the quickstart trace on stdout, a non-zero exit on failure.
import { runQuickstart } from "./run-quickstart.js";

try {
  await runQuickstart({ print: (line) => console.log(line) });
} catch (error) {
  console.error("quickstart failed:", error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exitCode = 1;
}
