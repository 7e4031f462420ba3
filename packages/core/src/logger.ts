// The optional pino-shaped logger. The SDK logs ids and codes only; as a second line of defence, fields whose
// names look like credentials are replaced before a line reaches the user's logger.

export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const SECRET_FIELD = /token|secret|password|passwd|api_?key|authorization|cookie|code_verifier|^code$|credential|binding/i;

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = SECRET_FIELD.test(key) ? "[redacted]" : value;
  }
  return out;
}

const noop = () => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** Wraps a user logger so every line passes through redaction. */
export function redactingLogger(logger: Logger | undefined): Logger {
  if (!logger) return silentLogger;
  return {
    debug: (fields, message) => logger.debug(redact(fields), message),
    info: (fields, message) => logger.info(redact(fields), message),
    warn: (fields, message) => logger.warn(redact(fields), message),
    error: (fields, message) => logger.error(redact(fields), message),
  };
}
