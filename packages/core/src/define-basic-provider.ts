// Basic strategy: username + password sent as an RFC 7617 Authorization header. No network call to resolve.
import { z } from "zod";
import type { ProviderDefinition } from "./provider.js";
import { secretSchema } from "./schemas.js";
import { defineStaticProvider, type StaticProviderOptions } from "./static-provider.js";

const basicSchema = z.strictObject({
  username: z.string().min(1).max(1024).refine((value) => !value.includes(":"), "must not contain ':' (RFC 7617)"),
  password: secretSchema,
});

export function defineBasicProvider(options: StaticProviderOptions): ProviderDefinition {
  return defineStaticProvider("basic", options, basicSchema, (credentials) => {
    const username = String(credentials.username);
    const password = String(credentials.password);
    const encoded = Buffer.from(`${username}:${password}`, "utf8").toString("base64");
    return { username, password, headers: { Authorization: `Basic ${encoded}` } };
  });
}
