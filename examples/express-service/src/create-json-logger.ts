// The service's logger: one JSON line per entry on stderr, pino-shaped so the SDK takes it as `logger`. It goes through
// core's `redactingLogger`, so a field named like a credential (token, secret, binding, code, cookie) is never written.
import { redactingLogger, type Logger } from "@sdk/core";

export const LOG_LEVELS = ["silent", "error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createJsonLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (entryLevel: Exclude<LogLevel, "silent">) => (fields: Record<string, unknown>, message: string) => {
    if (LOG_LEVELS.indexOf(entryLevel) <= threshold) write(JSON.stringify({ time: new Date().toISOString(), level: entryLevel, msg: message, ...fields }));
  };
  return redactingLogger({ debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") });
}
