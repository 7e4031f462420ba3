// Factory options are configuration: every define*Provider refuses a missing or bad option when it is called, as
// `misconfigured` whose details.field is `{factory}.{option}` and whose message never quotes the value.
import { z } from "zod";
import { describe, expect, it } from "vitest";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import { defineBasicProvider } from "./define-basic-provider.js";
import { defineMappedCredentialsProvider } from "./define-mapped-credentials-provider.js";
import { parseOptions } from "./parse-input.js";
import { SdkError } from "./sdk-error.js";

const PLANTED = "planted-option-value-7731";

function refusal(build: () => unknown): SdkError {
  try {
    build();
  } catch (error) {
    if (SdkError.is(error)) return error;
    throw error;
  }
  throw new Error("expected the factory to throw");
}

const mapped = { id: "acme-mapped", schema: z.object({ token: z.string() }), map: () => ({ headers: {} }) };

describe("static provider factories refuse bad options at the call", () => {
  it.each<[string, () => unknown, string, string]>([
    ["api-key without id", () => defineApiKeyProvider({} as never), "defineApiKeyProvider.id", 'defineApiKeyProvider() option "id" is required.'],
    ["api-key id with upper case", () => defineApiKeyProvider({ id: `Acme-${PLANTED}` as "acme" }), "defineApiKeyProvider.id", "must be lower-case"],
    ["api-key header with a newline", () => defineApiKeyProvider({ id: "acme", header: `X-Key\n${PLANTED}` }), "defineApiKeyProvider.header", "RFC 9110"],
    ["api-key scheme with a space", () => defineApiKeyProvider({ id: "acme", scheme: `Bearer ${PLANTED}` }), "defineApiKeyProvider.scheme", "RFC 9110"],
    ["api-key keySchema not a schema", () => defineApiKeyProvider({ id: "acme", keySchema: PLANTED as never }), "defineApiKeyProvider.keySchema", "must be a zod schema"],
    ["api-key baseUrl not http(s)", () => defineApiKeyProvider({ id: "acme", baseUrl: `ftp://${PLANTED}` }), "defineApiKeyProvider.baseUrl", "is invalid"],
    ["api-key allowedOrigins entry", () => defineApiKeyProvider({ id: "acme", allowedOrigins: ["https://ok.example", PLANTED] }), "defineApiKeyProvider.allowedOrigins[1]", "is invalid"],
    ["api-key unknown option", () => defineApiKeyProvider({ id: "acme", baseURL: "https://x.example" } as never), "defineApiKeyProvider.baseURL", 'option "baseURL" is not an option.'],
    ["basic naturalKey not a function", () => defineBasicProvider({ id: "acme", naturalKey: PLANTED as never }), "defineBasicProvider.naturalKey", "must be a function"],
    ["basic metadataSchema not a schema", () => defineBasicProvider({ id: "acme", metadataSchema: {} as never }), "defineBasicProvider.metadataSchema", "must be a zod schema"],
    ["mapped without schema", () => defineMappedCredentialsProvider({ ...mapped, schema: undefined as never }), "defineMappedCredentialsProvider.schema", 'defineMappedCredentialsProvider() option "schema" is required.'],
    ["mapped without map", () => defineMappedCredentialsProvider({ ...mapped, map: undefined as never }), "defineMappedCredentialsProvider.map", 'option "map" is required.'],
    ["no options at all", () => defineBasicProvider(undefined as never), "defineBasicProvider", "defineBasicProvider() needs an options object."],
  ])("%s", (_case, build, field, text) => {
    const error = refusal(build);
    expect(error.code).toBe("misconfigured");
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(text);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(PLANTED);
  });

  it("accepts the documented options", () => {
    expect(defineApiKeyProvider({ id: "acme", header: "X-Api-Key", scheme: null, keySchema: z.string().startsWith("ak_"), baseUrl: "https://api.acme.example" }).id).toBe("acme");
    expect(defineBasicProvider({ id: "acme-basic", allowedOrigins: ["https://jira.acme.example"], naturalKey: () => null }).id).toBe("acme-basic");
    expect(defineMappedCredentialsProvider(mapped).id).toBe("acme-mapped");
  });
});

describe("parseOptions", () => {
  const schema = z.strictObject({ clientId: z.string().min(1), nested: z.object({ url: z.string().url() }).optional() });

  it("lists every issue by field, tells missing from invalid, and returns the parsed options", () => {
    const error = refusal(() => parseOptions(schema, { nested: { url: PLANTED }, extra: 1 }, "acme"));
    expect(error.code).toBe("misconfigured");
    const { issues } = error.details as { issues?: Array<{ field: string; message: string }> };
    expect(issues?.map((issue) => [issue.field, issue.message])).toEqual([
      ["acme.clientId", "is required"],
      ["acme.nested.url", expect.stringMatching(/^is invalid: /)],
      ["acme.extra", "is not an option"],
    ]);
    expect(JSON.stringify(error.details)).not.toContain(PLANTED);
    expect(parseOptions(schema, { clientId: "c" }, "acme")).toEqual({ clientId: "c" });
  });
});
