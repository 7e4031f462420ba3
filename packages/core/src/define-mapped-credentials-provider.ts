// Mapped-credentials strategy: the caller declares the credential shape (a zod or any Standard Schema) and how it maps
// to a runtime. No network call to resolve.
import type { Integration } from "./integration.js";
import type { ProviderDefinition, Runtime, RuntimeFields } from "./provider.js";
import type { StandardSchemaV1 } from "./standard-schema.js";
import { checkStaticOptions, defineStaticProvider, functionOption, schemaOption, type StaticProviderOptions } from "./static-provider.js";

export interface MappedCredentialsProviderOptions<C extends Record<string, unknown>> extends StaticProviderOptions {
  /**
   * Validates the credentials given to createConnection / updateCredentials: a zod schema or any other synchronous
   * Standard Schema (https://standardschema.dev), run through its own `~standard.validate`.
   */
  schema: StandardSchemaV1<unknown, C>;
  /** Maps stored credentials to the runtime; must return `headers`. */
  map: (credentials: C, integration: Integration) => { headers: Record<string, string>; api_base_url?: string; [field: string]: unknown };
}

/** What `map` may return: `headers`, optionally `api_base_url`, and any other fields. */
export type MappedRuntimeFields = { headers: Record<string, string>; api_base_url?: string; [field: string]: unknown };

export function defineMappedCredentialsProvider<C extends Record<string, unknown>, const Id extends string = string, F extends MappedRuntimeFields = MappedRuntimeFields>(
  options: MappedCredentialsProviderOptions<C> & { id: Id; map: (credentials: C, integration: Integration) => F },
): ProviderDefinition<Id, Runtime & F> {
  checkStaticOptions("defineMappedCredentialsProvider", options, { schema: schemaOption(), map: functionOption() });
  return defineStaticProvider<Id, Runtime & F>("mapped_credentials", options, options.schema, (credentials, integration) =>
    options.map(credentials as C, integration) as RuntimeFields,
  );
}
