// Test helpers: record every SDK event and log line, and catch errors with their cause chain, so tests can assert on
// what the SDK said and the secret scan can read all of it.
import { SDK_EVENT_NAMES, SdkError, type Logger, type SDK, type SdkEventName } from "@sdk/core";

export interface Observed {
  events: Array<{ name: SdkEventName; payload: Record<string, unknown> }>;
  lines: Array<{ level: string; fields: Record<string, unknown>; message: string }>;
  logger: Logger;
  watch(sdk: SDK): void;
  named(name: SdkEventName): Array<Record<string, unknown>>;
}

export function observe(): Observed {
  const events: Observed["events"] = [];
  const lines: Observed["lines"] = [];
  const line = (level: string) => (fields: Record<string, unknown>, message: string) => lines.push({ level, fields, message });
  return {
    events,
    lines,
    logger: { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") },
    watch(sdk) {
      for (const name of SDK_EVENT_NAMES) sdk.events.on(name, (payload) => events.push({ name, payload: payload as Record<string, unknown> }));
    },
    named: (name) => events.filter((event) => event.name === name).map((event) => event.payload),
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    if (SdkError.is(error)) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

