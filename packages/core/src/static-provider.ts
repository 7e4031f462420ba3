// The shared shape of providers whose credentials are static (api-key, basic, mapped): validate on input,
// resolve with no network call. The three define* helpers are thin declarations over this one.
import type { z } from "zod";
import type { AuthType, Integration } from "./integration.js";
import { lazySchema, zod } from "./lazy-zod.js";
import { fromStandardSchema, parseInput, parseOptions } from "./parse-input.js";
import type { ProviderDefinition, Runtime, RuntimeFields } from "./provider.js";
import { providerIdSchema, urlSchema } from "./schemas.js";
import { SdkError } from "./sdk-error.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

export interface StaticProviderOptions {
  /** Provider id used in inputs and records, e.g. `"sentry-token"`. */
  id: string;
  /** Base URL for `sdk.fetch`; a connection's `metadata.base_url` overrides it. */
  baseUrl?: string;
  /**
   * Origins (`https://host[:port]`) a connection's `metadata.base_url` may point to, checked at `createConnection` and
   * again at every resolve (a stored record is never trusted to say where its credential goes).
   * @default any http(s) URL
   */
  allowedOrigins?: readonly string[];
  /**
   * Validates connection metadata: a zod schema, or any other Standard Schema (https://standardschema.dev), run through
   * its own `~standard.validate` (so which zod instance or version built it does not matter); it must be synchronous.
   * @default `{ base_url?: url }`, other keys allowed
   */
  metadataSchema?: StandardSchemaV1<unknown, Record<string, unknown>>;
  /** Derives the natural key that makes `createConnection` an upsert (e.g. an org slug). */
  naturalKey?: (draft: { metadata: Record<string, unknown>; credentials: Record<string, unknown> }) => string | null;
}

const defaultMetadataSchema = lazySchema((z) => z.object({ base_url: urlSchema().optional() }).loose());

/** A callback option. */
export const functionOption = lazySchema((z) => z.custom<(...args: never[]) => unknown>((value) => typeof value === "function", "must be a function"));

/** A user's schema: a zod schema or any other Standard Schema (an object with `~standard.validate`). */
export const schemaOption = lazySchema((z) =>
  z.custom<StandardSchemaV1<unknown, unknown>>((value) => {
    const standard = typeof value === "object" && value !== null ? (value as { "~standard"?: { validate?: unknown } })["~standard"] : undefined;
    return typeof standard?.validate === "function";
  }, "must be a zod schema (or any Standard Schema)"),
);

/** The options every static provider takes; each define* adds its own and checks them all when it is called. */
const staticOptionsShape = lazySchema((z) => ({
  id: providerIdSchema(),
  baseUrl: urlSchema().optional(),
  allowedOrigins: z.array(urlSchema()).optional(),
  metadataSchema: schemaOption().optional(),
  naturalKey: functionOption().optional(),
}));

/** Checks a static provider's options when its factory is called: a bad one is `misconfigured` naming it. */
export function checkStaticOptions(factory: string, options: unknown, extra: Record<string, z.ZodType> = {}): void {
  parseOptions(zod().strictObject({ ...staticOptionsShape(), ...extra }), options, factory);
}

/** A stored credential field the runtime hands out: a string, or the record is not one this provider wrote. */
export function storedString(integration: Integration, field: string): string {
  const value = integration.credentials[field];
  if (typeof value === "string") return value;
  throw new SdkError("validation_failed", `Integration "${integration.id}" holds no "${field}" credential; update its credentials.`, {
    details: { field: `integration.credentials.${field}`, integration_id: integration.id, provider: integration.provider },
  });
}

export function defineStaticProvider<Id extends string = string, R extends Runtime = Runtime>(
  authType: Exclude<AuthType, "oauth2">,
  options: StaticProviderOptions,
  credentialsSchema: StandardSchemaV1<unknown, Record<string, unknown>>,
  runtime: (credentials: Record<string, unknown>, integration: Integration) => RuntimeFields,
): ProviderDefinition<Id, R> {
  // The factory (defineApiKeyProvider, ...) has checked the options already (checkStaticOptions).
  const id = options.id as Id;
  const allowed = options.allowedOrigins?.map((origin) => new URL(origin).origin);
  const baseSchema: z.ZodType<Record<string, unknown>> = options.metadataSchema ? fromStandardSchema(options.metadataSchema, "metadataSchema") : defaultMetadataSchema();
  const metadataSchema = allowed
    ? baseSchema.superRefine((metadata, issues) => {
        const baseUrl = metadata.base_url;
        if (baseUrl !== undefined && !(typeof baseUrl === "string" && URL.canParse(baseUrl) && allowed.includes(new URL(baseUrl).origin))) {
          issues.addIssue({ code: "custom", path: ["base_url"], message: `must be on one of the provider's allowedOrigins (${allowed.join(", ")})` });
        }
      })
    : baseSchema;
  return {
    id,
    authType,
    parseCredentials: (credentials, field) => parseInput(credentialsSchema, credentials, field),
    parseMetadata: (metadata, field) => parseInput(metadataSchema, metadata, field),
    ...(options.naturalKey ? { naturalKey: options.naturalKey } : {}),
    ...(options.baseUrl ? { endpoints: () => [options.baseUrl!] } : {}),
    async resolve(_context, integration) {
      // Stored credentials are the schema's output from createConnection / updateCredentials (and AES-GCM tells any
      // altered field): parsing them again would decrypt every field, including those the runtime never hands out.
      // Where a credential is sent is decided by today's configuration, not by the record: a stored base_url is
      // re-validated on every resolve (plaintext metadata, so no decryption).
      const credentials = integration.credentials;
      const storedBaseUrl = integration.metadata.base_url;
      if (storedBaseUrl !== undefined) parseInput(metadataSchema, integration.metadata, "integration.metadata");
      const baseUrl = typeof storedBaseUrl === "string" ? storedBaseUrl : options.baseUrl;
      return {
        provider: integration.provider,
        integration_id: integration.id,
        account_id: integration.account_id,
        ...(baseUrl ? { api_base_url: baseUrl } : {}),
        ...runtime(credentials, integration),
      };
    },
  };
}
