// The shared shape of providers whose credentials are static (api-key, basic, mapped): validate on input,
// resolve with no network call. The three define* helpers are thin declarations over this one.
import { z } from "zod";
import type { AuthType, Integration } from "./integration.js";
import { parseInput } from "./parse-input.js";
import type { ProviderDefinition, Runtime, RuntimeFields } from "./provider.js";
import { providerIdSchema, urlSchema } from "./schemas.js";
import { SdkError } from "./sdk-error.js";

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
  /** Validates connection metadata. @default `{ base_url?: url }`, other keys allowed */
  metadataSchema?: z.ZodType<Record<string, unknown>>;
  /** Derives the natural key that makes `createConnection` an upsert (e.g. an org slug). */
  naturalKey?: (draft: { metadata: Record<string, unknown>; credentials: Record<string, unknown> }) => string | null;
}

const defaultMetadataSchema = z.object({ base_url: urlSchema.optional() }).loose();

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
  credentialsSchema: z.ZodType<Record<string, unknown>>,
  runtime: (credentials: Record<string, unknown>, integration: Integration) => RuntimeFields,
): ProviderDefinition<Id, R> {
  const id = parseInput(providerIdSchema, options.id, "provider.id") as Id;
  if (options.baseUrl !== undefined) parseInput(urlSchema, options.baseUrl, "provider.baseUrl");
  const allowed = options.allowedOrigins?.map((origin, index) => new URL(parseInput(urlSchema, origin, `provider.allowedOrigins[${index}]`)).origin);
  const baseSchema = options.metadataSchema ?? defaultMetadataSchema;
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
