// `createSDK` options and their validation. Misconfiguration fails at construction (`misconfigured`),
// never later at the first install or resolve.
import type { CacheStore } from "./cache-store.js";
import type { EncryptionKey } from "./credential-cipher.js";
import type { Logger } from "./logger.js";
import type { PersistentStore } from "./persistent-store.js";
import type { ProviderInput, StateSecret } from "./provider.js";
import { SdkError } from "./sdk-error.js";
import { formatPath } from "./parse-input.js";
import { lazySchema } from "./lazy-zod.js";

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
  /**
   * Credential encryption at rest (AES-256-GCM). Required: without `keys` createSDK refuses (`misconfigured`)
   * unless `{ plaintext: true }` opts in to storing credentials in plaintext (a 1.x migration window only; it warns
   * once on stderr). Generate a key with `node -e "console.log(crypto.randomBytes(32).toString('base64'))"`.
   */
  encryption: EncryptionOptions;
  /** Clock in milliseconds. @default Date.now */
  now?: () => number;
  /** Used for every provider call. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** pino-shaped logger. @default silent */
  logger?: Logger;
  /** Prefix of SDK-internal cache keys (never the 1.x access-token / lock keys). @default "sdk" */
  keyPrefix?: string;
}

/** `encryption` option: a key ring, or the explicit plaintext opt-in. */
export type EncryptionOptions = EncryptionKeyOptions | { plaintext: true; keys?: undefined };

/** `encryption` with a key ring. */
export interface EncryptionKeyOptions {
  /** Key ring: encrypt with the first, decrypt by `kid` (rotate by prepending). Each key is 32 random bytes, base64. */
  keys: EncryptionKey[];
  plaintext?: false;
  /**
   * Refuse a plaintext credential where an envelope belongs (`decryption_failed`, `details.reason: "plaintext"`):
   * someone with write access to the store cannot plant a credential of their choosing. Set `false` only while 1.x
   * plaintext records are migrated (each is re-encrypted on its next resolve), then remove it. See MIGRATION.md.
   * @default true
   */
  requireEncrypted?: boolean;
  /**
   * How access tokens sit in the cache. `"encrypted"`: an AES-256-GCM envelope bound to the cache key name, so someone
   * who reads the cache (a Redis replica, a backup, `MONITOR`) learns no token and cannot plant one. `"plaintext"`: the
   * 1.x JSON, for gateways that read the 1.x keys directly; whoever can read the cache can then use every token until
   * it expires. See SECURITY.md.
   * @default "encrypted"
   */
  accessTokenCache?: "encrypted" | "plaintext";
}

/** How to make a key, quoted by every error that asks for one. */
export const GENERATE_KEY_HINT = `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))"`;

const optionsSchema = lazySchema((z) => {
  const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === "function", "must be a function");
  const storeShape = z.object({ get: fn, create: fn, update: fn, delete: fn, list: fn }).loose();
  const cacheShape = z.object({ get: fn, set: fn, delete: fn, setIfAbsent: fn, deleteIfEquals: fn }).loose();
  const loggerShape = z.object({ debug: fn, info: fn, warn: fn, error: fn }).loose();
  return z.object({
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
    encryption: z
      .object({
        keys: z.array(z.object({ id: z.string().min(1).max(64).regex(/^[\w.-]+$/), key: z.string().min(1) })).optional(),
        plaintext: z.boolean().optional(),
        requireEncrypted: z.boolean().optional(),
        accessTokenCache: z.enum(["encrypted", "plaintext"]).optional(),
      })
      .optional(),
    now: fn.optional(),
    fetch: fn.optional(),
    logger: loggerShape.optional(),
    keyPrefix: z.string().min(1).max(64).regex(/^[\w.-]+$/).optional(),
  });
});

export function validateOptions(options: unknown): void {
  const result = optionsSchema().safeParse(options);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = formatPath(issue.path) || "options";
    throw new SdkError("misconfigured", `createSDK option "${field}" is invalid: ${issue.message}`, { details: { field } });
  }
  validateEncryption(result.data.encryption);
}

/** No silent plaintext: credentials are encrypted unless the caller says, in code, that they must not be. */
function validateEncryption(encryption: { keys?: unknown[] | undefined; plaintext?: boolean | undefined } | undefined): void {
  const hasKeys = (encryption?.keys?.length ?? 0) > 0;
  if (hasKeys && encryption?.plaintext === true) {
    throw new SdkError("misconfigured", `createSDK option "encryption" sets both "keys" and "plaintext: true": remove "plaintext" to encrypt credentials.`, {
      details: { field: "encryption.plaintext" },
    });
  }
  if (hasKeys || encryption?.plaintext === true) return;
  throw new SdkError(
    "misconfigured",
    `createSDK option "encryption.keys" is required: credentials are encrypted at rest (AES-256-GCM). Generate a 32-byte key with ${GENERATE_KEY_HINT} (or \`openssl rand -base64 32\`), keep it in your secret manager and pass createSDK({ encryption: { keys: [{ id: "k1", key: process.env.CREDENTIALS_KEY }] } }). To keep 1.x plaintext records for a migration window only, pass createSDK({ encryption: { plaintext: true } }) (see MIGRATION.md).`,
    { details: { field: "encryption.keys" } },
  );
}
