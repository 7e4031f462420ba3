// api-key strategy: one secret sent in a header. No network call to resolve.
import { z } from "zod";
import type { ProviderDefinition } from "./provider.js";
import { secretSchema } from "./schemas.js";
import { defineStaticProvider, type StaticProviderOptions } from "./static-provider.js";

export interface ApiKeyProviderOptions extends StaticProviderOptions {
  /** Header that carries the key. @default "Authorization" */
  header?: string;
  /** Scheme before the key; `null` sends the bare key. @default "Bearer" */
  scheme?: string | null;
  /** Extra validation of the key, e.g. a prefix such as `sntrys_`. */
  keySchema?: z.ZodType<string>;
}

export function defineApiKeyProvider(options: ApiKeyProviderOptions): ProviderDefinition {
  const header = options.header ?? "Authorization";
  const scheme = options.scheme === undefined ? "Bearer" : options.scheme;
  const schema = z.strictObject({ api_key: options.keySchema ?? secretSchema });
  return defineStaticProvider("api_key", options, schema, (credentials) => {
    const apiKey = String(credentials.api_key);
    return { api_key: apiKey, headers: { [header]: scheme ? `${scheme} ${apiKey}` : apiKey } };
  });
}
