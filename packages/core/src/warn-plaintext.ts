// The one warning `encryption: { plaintext: true }` costs: written to stderr once per process, whether or not a
// logger is configured (a silent default logger must not hide that credentials are stored in plaintext).
import type { Logger } from "./logger.js";

const MESSAGE =
  "@sdk/core: createSDK({ encryption: { plaintext: true } }) stores credentials in plaintext. Use it only for a 1.x migration window; configure encryption.keys (see MIGRATION.md).";

let warned = false;

export function warnPlaintext(logger: Logger): void {
  logger.warn({}, MESSAGE);
  if (warned) return;
  warned = true;
  process.stderr.write(`${MESSAGE}\n`);
}
