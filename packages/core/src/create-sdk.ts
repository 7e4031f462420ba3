// The SDK's entry point. Detects the 1.x call shape `createSDK(storage, { cacheStorage })` and says how to
// write it for 2.0 instead of failing somewhere deep inside.
import { ConnectionManager } from "./connection-manager.js";
import { SdkError } from "./sdk-error.js";
import type { ProviderDefinition, ProviderInput, RegisteredProvider } from "./provider.js";
import type { SdkOptions } from "./sdk-options.js";

/** The SDK object; `P` is the registered providers (see `createSDK`). */
export type SDK<P extends ProviderDefinition = ProviderDefinition> = ConnectionManager<P>;

const MIGRATION_HINT = `2.0 takes one options object:
  createSDK({
    store: new MongoStore(db.collection("integrations")),   // was: createSDK(new MongoDBStorage(model), ...)
    cache: new RedisCache(redis),                           // was: { cacheStorage: new RedisStorage(redis) }
    state: { secrets: [{ id: "2026-11", secret: process.env.STATE_SECRET }] },
    providers: [atlassian({ clientId, clientSecret, redirectUri, identityResolver })], // was: { atlassian: {...} }
  })
See MIGRATION.md.`;

function looksLikeLegacyStorage(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  if ("providers" in value || "store" in value) return false;
  return Object.values(value).some((member) => typeof member === "function") || typeof (value as { constructor?: unknown }).constructor === "function" && (value as object).constructor !== Object;
}

/**
 * Creates the SDK. Provider ids and runtimes are typed from `providers`: with `[slack(...), atlassian(...)]`,
 * `provider` accepts `"slack" | "jira" | "jsm" | "confluence"` and `resolveConnection` returns a union of their
 * runtimes discriminated by `provider`.
 */
export function createSDK<const Providers extends readonly ProviderInput[]>(options: SdkOptions & { providers: Providers }, ...legacy: unknown[]): SDK<RegisteredProvider<Providers>> {
  if (legacy.length > 0 || looksLikeLegacyStorage(options)) {
    throw new SdkError("legacy_signature", `createSDK(storage, { cacheStorage, ... }) is the 1.x call shape. ${MIGRATION_HINT}`, {
      details: { field: "options" },
    });
  }
  return new ConnectionManager<RegisteredProvider<Providers>>(options);
}
