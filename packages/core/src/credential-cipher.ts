// Credential encryption at rest: AES-256-GCM per field. A record's envelope (v2) is bound by its additional data to
// the whole record identity: provider, account_id, record id, field and the metadata that decides where a credential
// is sent (ROUTING_METADATA), so it cannot be moved to another tenant, record or field, nor redirected by rewriting
// plaintext metadata. v1 envelopes (record id + field) still read; plaintext is refused unless `requireEncrypted` is off.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { openedFields } from "./opened-fields.js";
import { SdkError } from "./sdk-error.js";

export interface EncryptionKey {
  /** Key id written into every envelope (`kid`). */
  id: string;
  /** 32 random bytes, base64-encoded. */
  key: string;
}

export interface Envelope {
  /** 1: additional data = context + field (cache values, pre-2.0 records); 2: bound to the record (RecordBinding). */
  v: 1 | 2;
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

export function isEnvelope(value: unknown): value is Envelope {
  // By hand rather than envelopeSchema.safeParse: it runs for every credential field of every record read.
  if (typeof value !== "object" || value === null) return false;
  const { v, kid, iv, tag, ct } = value as Record<string, unknown>;
  return (v === 1 || v === 2) && typeof kid === "string" && kid.length > 0 && typeof iv === "string" && iv.length > 0 && typeof tag === "string" && tag.length > 0 && typeof ct === "string";
}

/**
 * Metadata keys that decide where a credential is sent or which tenant it belongs to; bound into every record
 * envelope. Rewriting one in the store makes the credentials fail authentication (`decryption_failed`).
 */
export const ROUTING_METADATA = ["base_url", "api_base_url", "host", "region", "site_url", "cloud_id", "org_slug", "installation_id", "team_id", "enterprise_id"] as const;

/** What a record envelope is bound to: the record's identity and its routing metadata. */
export interface RecordBinding {
  id: string;
  provider: string;
  account_id: string;
  metadata?: Record<string, unknown>;
}

/** A record binding, or a plain context string (a cache key name) for a v1 envelope. */
export type CipherContext = string | RecordBinding;

function additionalData(context: CipherContext, field: string, version: 1 | 2): Buffer {
  if (version === 1) return Buffer.from(`${typeof context === "string" ? context : context.id}\u0000${field}`, "utf8");
  if (typeof context === "string") throw new TypeError("a v2 envelope needs its record binding");
  const metadata = context.metadata ?? {};
  const routing = ROUTING_METADATA.filter((key) => metadata[key] !== undefined).map((key) => [key, metadata[key]]);
  // JSON of an array of strings is unambiguous: no separator inside one value can shift the others.
  return Buffer.from(JSON.stringify(["sdk-credential-v2", context.provider, context.account_id, context.id, field, routing]), "utf8");
}

function describeContext(context: CipherContext): string {
  return typeof context === "string" ? context : context.id;
}

export interface CredentialCipherOptions {
  /**
   * Refuse a plaintext value where a record envelope belongs (`decryption_failed`, `details.reason: "plaintext"`).
   * Turn off only while 1.x plaintext records are being migrated (they are re-encrypted on their next resolve).
   * @default true when keys are configured
   */
  requireEncrypted?: boolean;
}

export class CredentialCipher {
  readonly #keys: Map<string, Buffer>;
  readonly #primary: string | undefined;
  readonly #requireEncrypted: boolean;

  constructor(keys: readonly EncryptionKey[] = [], options: CredentialCipherOptions = {}) {
    this.#keys = new Map();
    for (const [index, { id, key }] of keys.entries()) {
      const bytes = Buffer.from(key, "base64");
      if (bytes.length !== 32) {
        throw new SdkError("misconfigured", `"encryption.keys[${index}].key" must be 32 bytes, base64-encoded.`, {
          details: { field: `encryption.keys[${index}].key` },
        });
      }
      if (this.#keys.has(id)) {
        throw new SdkError("misconfigured", `"encryption.keys[${index}].id" repeats key id "${id}".`, { details: { field: `encryption.keys[${index}].id` } });
      }
      this.#keys.set(id, bytes);
    }
    this.#primary = keys[0]?.id;
    this.#requireEncrypted = this.#primary !== undefined && options.requireEncrypted !== false;
  }

  /** False when no key is configured: credentials are then stored in plaintext. */
  get enabled(): boolean {
    return this.#primary !== undefined;
  }

  /** The id of the key new envelopes are sealed with (the first of the ring); undefined without keys. */
  get primaryKeyId(): string | undefined {
    return this.#primary;
  }

  /** Whether an envelope's `kid` names a key of the ring (so it can be opened). */
  hasKey(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /** Whether a plaintext record credential is refused (see CredentialCipherOptions.requireEncrypted). */
  get requireEncrypted(): boolean {
    return this.#requireEncrypted;
  }

  /**
   * The envelope of `value` bound to `context` and `field` (v2 for a record binding, v1 for a context string such as a
   * cache key name), or the value itself when encryption is off.
   */
  encrypt(context: CipherContext, field: string, value: unknown): unknown {
    if (!this.#primary) return value;
    const version = typeof context === "string" ? 1 : 2;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#keys.get(this.#primary)!, iv);
    cipher.setAAD(additionalData(context, field, version));
    const ct = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    const envelope: Envelope = {
      v: version,
      kid: this.#primary,
      iv: iv.toString("base64url"),
      tag: cipher.getAuthTag().toString("base64url"),
      ct: ct.toString("base64url"),
    };
    return envelope;
  }

  /**
   * The plaintext of an envelope. A non-envelope is 1.x plaintext: for a record binding it is refused while
   * `requireEncrypted` is on, otherwise returned as it is.
   */
  decrypt(context: CipherContext, field: string, value: unknown): unknown {
    const recordId = describeContext(context);
    if (!isEnvelope(value)) {
      if (this.#requireEncrypted && typeof context !== "string") {
        throw new SdkError(
          "decryption_failed",
          `Credential "${field}" of integration "${recordId}" is plaintext where an encrypted envelope belongs (written by 1.x, or by someone with write access to the store). While migrating 1.x records, set createSDK({ encryption: { keys, requireEncrypted: false } }) (see MIGRATION.md).`,
          { details: { integration_id: recordId, field, reason: "plaintext" } },
        );
      }
      return value;
    }
    if (value.v === 2 && typeof context === "string") {
      throw new SdkError("decryption_failed", `Credential "${field}" of "${recordId}" is bound to a record; it cannot be opened outside one.`, {
        details: { integration_id: recordId, field, kid: value.kid },
      });
    }
    const key = this.#keys.get(value.kid);
    if (!key) {
      throw new SdkError("decryption_failed", `Credential "${field}" of integration "${recordId}" was encrypted with key "${value.kid}", which is not in "encryption.keys".`, {
        details: { integration_id: recordId, field, kid: value.kid },
      });
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(value.iv, "base64url"));
      decipher.setAAD(additionalData(context, field, value.v));
      decipher.setAuthTag(Buffer.from(value.tag, "base64url"));
      const plain = Buffer.concat([decipher.update(Buffer.from(value.ct, "base64url")), decipher.final()]).toString("utf8");
      return JSON.parse(plain) as unknown;
    } catch (cause) {
      throw new SdkError("decryption_failed", `Credential "${field}" of integration "${recordId}" failed authentication: it was altered, or its record's provider, account_id or routing metadata (${ROUTING_METADATA.join(", ")}) was rewritten, or it belongs to another record or field.`, {
        details: { integration_id: recordId, field, kid: value.kid },
        cause: cause instanceof Error ? new Error(cause.message) : undefined,
      });
    }
  }

  encryptFields(context: CipherContext, fields: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(fields)) out[field] = this.encrypt(context, field, value);
    return out;
  }

  decryptFields(context: CipherContext, fields: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(fields)) out[field] = this.decrypt(context, field, value);
    return out;
  }

  /**
   * Like `decryptFields`, but each envelope is decrypted the first time its field is read (then kept as a plain
   * value): a resolve served from the cache never pays AES for a refresh token it does not use. Spreading or
   * serialising the object reads every field (it is a Proxy: `structuredClone` a spread copy). Presence without
   * decrypting: `Object.hasOwn(fields, name)` (see opened-fields.ts).
   */
  openFields(context: CipherContext, fields: Record<string, unknown>): Record<string, unknown> {
    const refusesPlaintext = this.#requireEncrypted && typeof context !== "string";
    return openedFields(fields, (value) => refusesPlaintext || isEnvelope(value), (field, value) => this.decrypt(context, field, value));
  }

  /** True when encryption is on and some field is still plaintext, a v1 envelope, or under a key other than the primary. */
  needsUpgrade(fields: Record<string, unknown>): boolean {
    if (!this.#primary) return false;
    // A loop, not Object.values: every resolve asks this, and it should allocate nothing.
    for (const field in fields) {
      if (!Object.hasOwn(fields, field)) continue;
      const value = fields[field];
      if (!isEnvelope(value) || value.v !== 2 || value.kid !== this.#primary) return true;
    }
    return false;
  }
}
