// SdkError: the brand that works across package copies, default retryable flags, serialisation, and the README's
// errors table kept in step with SDK_ERROR_CODES.
import { describe, expect, it } from "vitest";
import { SDK_ERROR_CODES, SdkError } from "./sdk-error.js";

describe("SdkError", () => {
  it("is recognised across duplicated package copies through the Symbol.for brand, optionally by code", () => {
    // What an SdkError thrown by another copy of @sdk/core looks like to this one: a different class, the same brand.
    class ForeignSdkError extends Error {
      readonly code = "reauth_required";
      readonly details = {};
      readonly retryable = false;
    }
    const foreign = new ForeignSdkError("from another copy");
    Object.defineProperty(foreign, Symbol.for("@sdk/core/SdkError"), { value: true });
    expect(foreign instanceof SdkError).toBe(false);
    expect(SdkError.is(foreign)).toBe(true);
    expect(SdkError.is(foreign, "reauth_required", "integration_revoked")).toBe(true);
    expect(SdkError.is(foreign, "validation_failed")).toBe(false);
    const branded = { [Symbol.for("@sdk/core/SdkError")]: true, code: "state_expired" };
    expect(SdkError.is(branded, "state_expired")).toBe(true);
  });

  it("is false for look-alikes without the brand and for non-objects", () => {
    expect(SdkError.is(Object.assign(new Error("x"), { code: "validation_failed", name: "SdkError" }))).toBe(false);
    expect(SdkError.is({ code: "validation_failed" })).toBe(false);
    expect(SdkError.is({ [Symbol.for("@sdk/core/SdkError")]: "yes" })).toBe(false);
    for (const value of [null, undefined, "validation_failed", 42]) expect(SdkError.is(value)).toBe(false);
  });

  it.each([
    ["integration_conflict", true],
    ["cache_unavailable", true],
    ["store_unavailable", true],
    ["provider_unavailable", true],
    ["provider_rate_limited", true],
    ["refresh_timeout", true],
    ["validation_failed", false],
    ["reauth_required", false],
    ["decryption_failed", false],
    ["state_replayed", false],
  ] as const)("%s has retryable=%s by default", (code, retryable) => {
    expect(new SdkError(code, "m").retryable).toBe(retryable);
  });

  it("every code has a default retryable flag, and an explicit flag overrides it", () => {
    for (const code of SDK_ERROR_CODES) expect(typeof new SdkError(code, "m").retryable).toBe("boolean");
    expect(new SdkError("store_unavailable", "m", { retryable: false }).retryable).toBe(false);
    expect(new SdkError("provider_error", "m", { retryable: true }).retryable).toBe(true);
  });

  it("keeps a native cause, serialises without it, and is an Error", () => {
    const cause = new Error("low level");
    const error = new SdkError("store_unavailable", "The store failed.", { details: { operation: "get" }, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("SdkError");
    expect(error.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: "SdkError", code: "store_unavailable", message: "The store failed.", retryable: true, details: { operation: "get" } });
    expect(new SdkError("misconfigured", "m")).not.toHaveProperty("cause");
  });
});

describe("the README's errors table", () => {
  it("lists every code once, with its default retryable flag", async () => {
    const { readFile } = await import("node:fs/promises");
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const rows = new Map([...readme.matchAll(/^\| `([a-z_]+)` \| .+ \| (yes|no) \|$/gm)].map((match) => [match[1]!, match[2] === "yes"]));
    expect([...rows.keys()].sort()).toEqual([...SDK_ERROR_CODES].sort());
    for (const code of SDK_ERROR_CODES) expect(rows.get(code), code).toBe(new SdkError(code, "m").retryable);
  });
});
