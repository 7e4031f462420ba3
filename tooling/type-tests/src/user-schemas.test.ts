// Schemas a user passes (mapped `schema`, api-key `keySchema`, `metadataSchema`) are typed as Standard Schemas in the
// built declarations: a zod schema of the user's own zod is accepted, its output types `map`'s credentials, and a
// schema of the wrong output type does not compile. Checked by `tsc` and run by vitest.
import { defineApiKeyProvider, defineBasicProvider, defineMappedCredentialsProvider, type StandardSchemaV1 } from "@sdk/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";

describe("user schemas are typed as Standard Schemas", () => {
  it("a zod schema types the credentials map receives", () => {
    const provider = defineMappedCredentialsProvider({
      id: "acme",
      schema: z.object({ token: z.string(), region: z.enum(["eu", "us"]).optional() }),
      map: (credentials) => {
        expectTypeOf(credentials).toEqualTypeOf<{ token: string; region?: "eu" | "us" | undefined }>();
        return { headers: { "X-Token": credentials.token } };
      },
    });
    expect(provider.parseCredentials({ token: "t" }, "createConnection.credentials")).toEqual({ token: "t" });
  });

  it("any Standard Schema is accepted where zod was", () => {
    const startsWithAk: StandardSchemaV1<unknown, string> = {
      "~standard": { version: 1, vendor: "hand-written", validate: (value) => (typeof value === "string" && value.startsWith("ak_") ? { value } : { issues: [{ message: "must start with ak_" }] }) },
    };
    expect(defineApiKeyProvider({ id: "acme", keySchema: startsWithAk }).id).toBe("acme");
    expect(defineApiKeyProvider({ id: "acme", keySchema: z.string().startsWith("ak_") }).id).toBe("acme");
    expect(defineBasicProvider({ id: "acme", metadataSchema: z.object({ base_url: z.string().optional() }) }).id).toBe("acme");
  });

  it("a schema of the wrong output type does not compile", () => {
    // @ts-expect-error keySchema must produce a string
    const call = () => defineApiKeyProvider({ id: "acme", keySchema: z.number() });
    expect(call).toBeTypeOf("function");
    // @ts-expect-error metadataSchema must produce an object
    const metadata = () => defineBasicProvider({ id: "acme", metadataSchema: z.string() });
    expect(metadata).toBeTypeOf("function");
  });
});
