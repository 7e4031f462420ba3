// A service logger that keeps every line it would have written, so a test can scan them for secrets.
import { createJsonLogger } from "../src/create-json-logger.js";

export function captureLogger() {
  const lines: string[] = [];
  return { lines, logger: createJsonLogger("debug", (line) => lines.push(line)) };
}
