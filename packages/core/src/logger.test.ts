// The logger wrapper: credential-named fields redacted, the user's logger called as a method, failures swallowed.
import { describe, expect, it } from "vitest";
import { redactingLogger, silentLogger } from "./logger.js";
import { recordingLogger } from "../test/recording-logger.js";

describe("redactingLogger", () => {
  it("replaces fields whose names look like credentials and keeps the rest", () => {
    const target = recordingLogger();
    const logger = redactingLogger(target);
    logger.info({ integration_id: "i-1", access_token: "t", refresh_token: "r", api_key: "k", apiKey: "k", password: "p", client_secret: "s", authorization: "a", code: "c", code_verifier: "v", credentials: {}, browser_binding: "b", status: 200 }, "line");
    expect(target.lines).toEqual([
      {
        level: "info",
        message: "line",
        fields: { integration_id: "i-1", access_token: "[redacted]", refresh_token: "[redacted]", api_key: "[redacted]", apiKey: "[redacted]", password: "[redacted]", client_secret: "[redacted]", authorization: "[redacted]", code: "[redacted]", code_verifier: "[redacted]", credentials: "[redacted]", browser_binding: "[redacted]", status: 200 },
      },
    ]);
  });

  it("keeps the user's logger as `this` (pino's methods need it) and swallows a throwing logger", () => {
    const seen: string[] = [];
    const pinoLike = {
      prefix: "svc",
      debug(this: { prefix: string }, _fields: Record<string, unknown>, message: string) {
        seen.push(`${this.prefix}:${message}`);
      },
      info() {
        throw new Error("transport down");
      },
      warn() {},
      error() {},
    };
    const logger = redactingLogger(pinoLike);
    logger.debug({}, "hello");
    expect(() => logger.info({}, "boom")).not.toThrow();
    expect(seen).toEqual(["svc:hello"]);
  });

  it("is silent without a logger", () => {
    expect(redactingLogger(undefined)).toBe(silentLogger);
  });
});
