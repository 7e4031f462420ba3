// The optional pino-shaped logger. The SDK logs ids and codes only; as a second line of defence, fields whose
// names look like credentials are replaced before a line reaches the user's logger, and a throwing logger is ignored.

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

/** Wraps a user logger so every line passes through redaction and a failing logger never fails an SDK call. */
export function redactingLogger(logger: Logger | undefined): Logger {
  if (!logger) return silentLogger;
  const line = (level: keyof Logger) => (fields: Record<string, unknown>, message: string) => {
    try {
      logger[level](redact(fields), message);
    } catch {
      // Logging is best effort: a broken transport must not turn a successful resolve into a failure.
    }
  };
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}
