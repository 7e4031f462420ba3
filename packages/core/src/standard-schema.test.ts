// Where users hand the SDK a schema (mapped `schema`, api-key `keySchema`, `metadataSchema`) any Standard Schema works:
// it runs through its own `~standard.validate`, so a zod schema from the user's zod (this file's ESM zod, not the
// SDK's lazily required one) and a schema of another library give the same errors, fields and codes as before.
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import { defineBasicProvider } from "./define-basic-provider.js";
import { defineMappedCredentialsProvider } from "./define-mapped-credentials-provider.js";
import { zod } from "./lazy-zod.js";
import { parseInput } from "./parse-input.js";
import { SdkError } from "./sdk-error.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

function refusal(run: () => unknown): SdkError {
  try {
    run();
  } catch (error) {
    if (SdkError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

/** A hand-written Standard Schema (what valibot or arktype hand over): a string starting with `prefix`, issues with object path segments. */
function prefixed(prefix: string): StandardSchemaV1<unknown, string> {
  return {
    "~standard": {
      version: 1,
      vendor: "hand-written",
      validate: (value) =>
        typeof value === "string" && value.startsWith(prefix) ? { value } : { issues: [{ message: `must start with ${prefix}`, path: [] }] },
    },
  };
}

const tokenRecord: StandardSchemaV1<unknown, { token: string }> = {
  "~standard": {
    version: 1,
    vendor: "hand-written",
    validate: (value) => {
      const token = (value as { token?: unknown } | null)?.token;
      return typeof token === "string" && token.length > 0 ? { value: { token } } : { issues: [{ message: "must be a non-empty string", path: [{ key: "token" }] }] };
    },
  },
};

describe("user schemas are Standard Schemas", () => {
  it("the user's own zod is not the SDK's: zod is loaded lazily from its CommonJS build", () => {
    // The premise of this file: the schemas below come from another zod instance than the SDK's own.
    expect(zod()).not.toBe(z);
  });

  it("a zod schema of the user's zod gives the same error as before (field, zod code, zod message)", () => {
    const provider = defineMappedCredentialsProvider({ id: "mapped", schema: z.strictObject({ token: z.string().startsWith("tk_") }), map: (credentials) => ({ headers: { "X-Token": credentials.token } }) });
    const error = refusal(() => provider.parseCredentials({ token: "nope" }, "createConnection.credentials"));
    expect(error.code).toBe("validation_failed");
    expect(error.message).toBe('"createConnection.credentials.token" is invalid: Invalid string: must start with "tk_"');
    expect(error.details).toEqual({
      field: "createConnection.credentials.token",
      issues: [{ field: "createConnection.credentials.token", code: "invalid_format", message: 'Invalid string: must start with "tk_"' }],
    });
    expect(refusal(() => provider.parseCredentials({ token: "tk_1", extra: 1 }, "createConnection.credentials")).details).toMatchObject({ field: "createConnection.credentials.extra" });
    expect(provider.parseCredentials({ token: "tk_1" }, "createConnection.credentials")).toEqual({ token: "tk_1" });
  });

  it("a mapped provider takes another library's schema; its path segments and messages name the field", () => {
    const provider = defineMappedCredentialsProvider({ id: "mapped", schema: tokenRecord, map: (credentials) => ({ headers: { "X-Token": credentials.token } }) });
    const error = refusal(() => provider.parseCredentials({ token: "" }, "createConnection.credentials"));
    expect(error.message).toBe('"createConnection.credentials.token" is invalid: must be a non-empty string');
    expect(error.details).toMatchObject({ issues: [{ field: "createConnection.credentials.token", code: "custom" }] });
    expect(provider.parseCredentials({ token: "t" }, "createConnection.credentials")).toEqual({ token: "t" });
  });

  it("an api-key keySchema of another library runs after the built-in check, under api_key", () => {
    const provider = defineApiKeyProvider({ id: "acme", keySchema: prefixed("ak_") });
    expect(refusal(() => provider.parseCredentials({ api_key: "xx_1" }, "createConnection.credentials")).message).toBe('"createConnection.credentials.api_key" is invalid: must start with ak_');
    // The built-in check still comes first: a space is refused before the user's schema sees the key.
    expect(refusal(() => provider.parseCredentials({ api_key: "ak_ 1" }, "createConnection.credentials")).message).toContain("visible ASCII");
    expect(provider.parseCredentials({ api_key: "ak_1" }, "createConnection.credentials")).toEqual({ api_key: "ak_1" });
  });

  it("a metadataSchema of another library keeps allowedOrigins enforced", () => {
    const metadata: StandardSchemaV1<unknown, Record<string, unknown>> = {
      "~standard": { version: 1, vendor: "hand-written", validate: (value) => (typeof value === "object" && value !== null ? { value: value as Record<string, unknown> } : { issues: [{ message: "must be an object" }] }) },
    };
    const provider = defineBasicProvider({ id: "acme", metadataSchema: metadata, allowedOrigins: ["https://jira.acme.example"] });
    const error = refusal(() => provider.parseMetadata!({ base_url: "https://elsewhere.example" }, "createConnection.metadata"));
    expect(error.details).toMatchObject({ field: "createConnection.metadata.base_url" });
    expect(error.message).toContain("allowedOrigins");
    expect(provider.parseMetadata!({ base_url: "https://jira.acme.example/x" }, "createConnection.metadata")).toEqual({ base_url: "https://jira.acme.example/x" });
  });

  it("an asynchronous schema is a misconfiguration, never a silent pass", () => {
    const asynchronous: StandardSchemaV1<unknown, string> = { "~standard": { version: 1, vendor: "hand-written", validate: async (value) => ({ value: String(value) }) } };
    const error = refusal(() => parseInput(asynchronous, "x", "createConnection.credentials"));
    expect(error.code).toBe("misconfigured");
    expect(error.details).toMatchObject({ field: "createConnection.credentials" });
  });

  it("a zod refinement that throws surfaces its own error, not an 'asynchronous' misconfiguration", () => {
    // zod's ~standard.validate answers a throwing refinement with a Promise; the SDK runs zod schemas with safeParse.
    const throwing = z.string().refine(() => {
      throw new Error("refinement broke");
    });
    expect(() => parseInput(throwing, "x", "createConnection.credentials")).toThrow("refinement broke");
    const thenable: StandardSchemaV1<unknown, string> = { "~standard": { version: 1, vendor: "hand-written", validate: () => ({ then: () => undefined }) as never } };
    expect(refusal(() => parseInput(thenable, "x", "createConnection.credentials")).code).toBe("misconfigured");
  });

  it("something without ~standard.validate is refused where a schema is expected", () => {
    const error = refusal(() => defineMappedCredentialsProvider({ id: "mapped", schema: { safeParse: () => ({ success: true }) } as never, map: () => ({ headers: {} }) }));
    expect(error.code).toBe("misconfigured");
    expect(error.details).toMatchObject({ field: "defineMappedCredentialsProvider.schema" });
    expect(error.message).toContain("must be a zod schema");
  });
});
