// A Logger that keeps every line it is given, so tests can assert what the SDK logs (and that no secret is in it).
import type { Logger } from "../src/logger.js";

export interface LogLine {
  level: keyof Logger;
  fields: Record<string, unknown>;
  message: string;
}

export interface RecordingLogger extends Logger {
  lines: LogLine[];
}

export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const line = (level: keyof Logger) => (fields: Record<string, unknown>, message: string) => {
    lines.push({ level, fields, message });
  };
  return { lines, debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}
