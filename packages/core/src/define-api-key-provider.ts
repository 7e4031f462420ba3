// api-key strategy: one secret sent in a header. No network call to resolve.
import type { z } from "zod";
import { lazySchema, zod } from "./lazy-zod.js";
import { fromStandardSchema } from "./parse-input.js";
import type { ProviderDefinition, Runtime } from "./provider.js";
import { headerSecretSchema } from "./schemas.js";
import type { StandardSchemaV1 } from "./standard-schema.js";
import { checkStaticOptions, defineStaticProvider, schemaOption, storedString, type StaticProviderOptions } from "./static-provider.js";

/** An HTTP field name or auth scheme: an RFC 9110 token (section 5.1 / 11.1), so it cannot break a header. */
const token = lazySchema((z) => z.string().max(256).regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be an HTTP token (RFC 9110 5.6.2)"));

export interface ApiKeyProviderOptions extends StaticProviderOptions {
  /** Header that carries the key. @default "Authorization" */
  header?: string;
  /** Scheme before the key; `null` sends the bare key. @default "Bearer" */
  scheme?: string | null;
  /**
   * Extra validation of the key, e.g. a prefix such as `sntrys_`. Runs after the built-in check (visible ASCII, at most
   * 16 KiB). A zod schema or any other synchronous Standard Schema (https://standardschema.dev) of a string.
   */
  keySchema?: StandardSchemaV1<unknown, string>;
}

/** What an api-key connection resolves to. */
export interface ApiKeyRuntime extends Runtime {
  api_key: string;
  headers: Record<string, string>;
}

export function defineApiKeyProvider<const Id extends string>(options: ApiKeyProviderOptions & { id: Id }): ProviderDefinition<Id, ApiKeyRuntime> {
  checkStaticOptions("defineApiKeyProvider", options, { header: token().optional(), scheme: token().nullable().optional(), keySchema: schemaOption().optional() });
  const header = options.header ?? "Authorization";
  const scheme = options.scheme === undefined ? "Bearer" : options.scheme;
  // keySchema takes unknown input, so piping the checked string into it is sound; the cast only narrows its input type.
  const keySchema = options.keySchema
    ? headerSecretSchema().pipe(fromStandardSchema(options.keySchema, "defineApiKeyProvider.keySchema") as z.ZodType<string, string>)
    : headerSecretSchema();
  const schema = zod().strictObject({ api_key: keySchema });
  return defineStaticProvider<Id, ApiKeyRuntime>("api_key", options, schema, (_credentials, integration) => {
    const apiKey = storedString(integration, "api_key");
    return { api_key: apiKey, headers: { [header]: scheme ? `${scheme} ${apiKey}` : apiKey } };
  });
}
