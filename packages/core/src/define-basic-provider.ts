// Basic strategy: username + password sent as an RFC 7617 Authorization header. No network call to resolve.
import { lazySchema } from "./lazy-zod.js";
import type { ProviderDefinition, Runtime } from "./provider.js";
import { secretSchema } from "./schemas.js";
import { checkStaticOptions, defineStaticProvider, storedString, type StaticProviderOptions } from "./static-provider.js";

const basicSchema = lazySchema((z) =>
  z.strictObject({
    username: z
      .string()
      .min(1)
      .max(1024)
      .refine((value) => !value.includes(":"), "must not contain ':' (RFC 7617)")
      .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), "must not contain control characters (RFC 7617)"),
    // Any UTF-8 is fine: RFC 7617 base64-encodes it, so it never reaches a header as it is.
    password: secretSchema().refine((value) => !/[\u0000-\u001f\u007f]/.test(value), "must not contain control characters (RFC 7617)"),
  }),
);

/** What a basic connection resolves to. */
export interface BasicRuntime extends Runtime {
  username: string;
  password: string;
  headers: { Authorization: string };
}

export function defineBasicProvider<const Id extends string>(options: StaticProviderOptions & { id: Id }): ProviderDefinition<Id, BasicRuntime> {
  checkStaticOptions("defineBasicProvider", options);
  return defineStaticProvider<Id, BasicRuntime>("basic", options, basicSchema(), (_credentials, integration) => {
    const username = storedString(integration, "username");
    const password = storedString(integration, "password");
    const encoded = Buffer.from(`${username}:${password}`, "utf8").toString("base64");
    return { username, password, headers: { Authorization: `Basic ${encoded}` } };
  });
}
