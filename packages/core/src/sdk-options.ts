// `createSDK` options and their validation. Misconfiguration fails at construction (`misconfigured`),
// never later at the first install or resolve.
import { z } from "zod";
import type { CacheStore } from "./cache-store.js";
import type { EncryptionKey } from "./credential-cipher.js";
import type { Logger } from "./logger.js";
import type { PersistentStore } from "./persistent-store.js";
import type { ProviderInput, StateSecret } from "./provider.js";
import { SdkError } from "./sdk-error.js";
import { formatPath } from "./parse-input.js";

export interface SdkOptions {
  /** Where integration records (refresh tokens, api keys) live. `MemoryStore` is the embedded default. */
  store: PersistentStore;
  /** Access tokens, refresh locks, state nonces. Required by every OAuth provider. `MemoryCache` is the embedded default. */
  cache?: CacheStore;
  providers: readonly ProviderInput[];
  /** Install-state signing (DESIGN section 6). Required by OAuth providers. */
  state?: {
    /** Key ring: the first signs, any listed one verifies (rotate by prepending). */
    secrets: StateSecret[];
    /** @default "required" — "off" drops the CSRF binding of the callback to the browser that started it. */
    browserBinding?: "required" | "off";
    /** @default 600 */
    ttlSeconds?: number;
  };
  /** Credential encryption at rest (AES-256-GCM). Without keys credentials are stored in plaintext (a warning is logged once). */
  encryption?: { keys: EncryptionKey[] };
  /** Clock in milliseconds. @default Date.now */
  now?: () => number;
  /** Used for every provider call. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** pino-shaped logger. @default silent */
  logger?: Logger;
  /** Prefix of SDK-internal cache keys (never the 1.x access-token / lock keys). @default "sdk" */
  keyPrefix?: string;
}

const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === "function", "must be a function");
const storeShape = z.object({ get: fn, create: fn, update: fn, delete: fn, list: fn }).loose();
const cacheShape = z.object({ get: fn, set: fn, delete: fn, setIfAbsent: fn, deleteIfEquals: fn }).loose();
const loggerShape = z.object({ debug: fn, info: fn, warn: fn, error: fn }).loose();

const optionsSchema = z.object({
  store: storeShape,
  cache: cacheShape.optional(),
  providers: z.array(z.unknown()),
  state: z
    .object({
      secrets: z.array(z.object({ id: z.string().min(1).max(64).regex(/^[\w.-]+$/), secret: z.string().min(32, "must be at least 32 characters") })).min(1),
      browserBinding: z.enum(["required", "off"]).optional(),
      ttlSeconds: z.number().int().min(30).max(3600).optional(),
    })
    .optional(),
  encryption: z.object({ keys: z.array(z.object({ id: z.string().min(1).max(64).regex(/^[\w.-]+$/), key: z.string().min(1) })) }).optional(),
  now: fn.optional(),
  fetch: fn.optional(),
  logger: loggerShape.optional(),
  keyPrefix: z.string().min(1).max(64).regex(/^[\w.-]+$/).optional(),
});

export function validateOptions(options: unknown): void {
  const result = optionsSchema.safeParse(options);
  if (result.success) return;
  const issue = result.error.issues[0]!;
  const field = formatPath(issue.path) || "options";
  throw new SdkError("misconfigured", `createSDK option "${field}" is invalid: ${issue.message}`, { details: { field } });
}
