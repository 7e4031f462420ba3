// Credential encryption at rest: AES-256-GCM per field, additional data = integration id + field name, so a
// ciphertext cannot be moved to another record or field. Key ring: encrypt with the first key, decrypt by `kid`.
// Values that are not envelopes are 1.x plaintext: they read as they are and are written back encrypted.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { z } from "zod";
import { SdkError } from "./sdk-error.js";

export interface EncryptionKey {
  /** Key id written into every envelope (`kid`). */
  id: string;
  /** 32 random bytes, base64-encoded. */
  key: string;
}

export interface Envelope {
  v: 1;
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

const envelopeSchema = z.object({
  v: z.literal(1),
  kid: z.string().min(1),
  iv: z.string().min(1),
  tag: z.string().min(1),
  ct: z.string(),
});

export function isEnvelope(value: unknown): value is Envelope {
  // By hand rather than envelopeSchema.safeParse: it runs for every credential field of every record read.
  if (typeof value !== "object" || value === null) return false;
  const { v, kid, iv, tag, ct } = value as Record<string, unknown>;
  return v === 1 && typeof kid === "string" && kid.length > 0 && typeof iv === "string" && iv.length > 0 && typeof tag === "string" && tag.length > 0 && typeof ct === "string";
}

function additionalData(recordId: string, field: string): Buffer {
  return Buffer.from(`${recordId}\u0000${field}`, "utf8");
}

export class CredentialCipher {
  readonly #keys: Map<string, Buffer>;
  readonly #primary: string | undefined;

  constructor(keys: readonly EncryptionKey[] = []) {
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
  }

  /** False when no key is configured: credentials are then stored in plaintext. */
  get enabled(): boolean {
    return this.#primary !== undefined;
  }

  /** The envelope of `value` bound to this record and field, or the value itself when encryption is off. */
  encrypt(recordId: string, field: string, value: unknown): unknown {
    if (!this.#primary) return value;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#keys.get(this.#primary)!, iv);
    cipher.setAAD(additionalData(recordId, field));
    const ct = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    const envelope: Envelope = {
      v: 1,
      kid: this.#primary,
      iv: iv.toString("base64url"),
      tag: cipher.getAuthTag().toString("base64url"),
      ct: ct.toString("base64url"),
    };
    return envelope;
  }

  /** The plaintext of an envelope; a non-envelope (1.x plaintext) is returned as it is. */
  decrypt(recordId: string, field: string, value: unknown): unknown {
    if (!isEnvelope(value)) return value;
    const key = this.#keys.get(value.kid);
    if (!key) {
      throw new SdkError("decryption_failed", `Credential "${field}" of integration "${recordId}" was encrypted with key "${value.kid}", which is not in "encryption.keys".`, {
        details: { integration_id: recordId, field, kid: value.kid },
      });
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(value.iv, "base64url"));
      decipher.setAAD(additionalData(recordId, field));
      decipher.setAuthTag(Buffer.from(value.tag, "base64url"));
      const plain = Buffer.concat([decipher.update(Buffer.from(value.ct, "base64url")), decipher.final()]).toString("utf8");
      return JSON.parse(plain) as unknown;
    } catch (cause) {
      throw new SdkError("decryption_failed", `Credential "${field}" of integration "${recordId}" failed authentication: it was altered or belongs to another record or field.`, {
        details: { integration_id: recordId, field, kid: value.kid },
        cause: cause instanceof Error ? new Error(cause.message) : undefined,
      });
    }
  }

  encryptFields(recordId: string, fields: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(fields)) out[field] = this.encrypt(recordId, field, value);
    return out;
  }

  decryptFields(recordId: string, fields: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(fields)) out[field] = this.decrypt(recordId, field, value);
    return out;
  }

  /**
   * Like `decryptFields`, but each envelope is decrypted the first time its field is read (then kept as a plain
   * value): a resolve served from the cache never pays AES for a refresh token it does not use. Spreading, cloning or
   * serialising the object reads every field. Presence without decrypting: `Object.hasOwn(fields, name)`.
   */
  openFields(recordId: string, fields: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const settle = (field: string, value: unknown) => Object.defineProperty(out, field, { value, enumerable: true, configurable: true, writable: true });
    for (const [field, value] of Object.entries(fields)) {
      if (!isEnvelope(value)) {
        out[field] = value;
        continue;
      }
      Object.defineProperty(out, field, {
        enumerable: true,
        configurable: true,
        get: () => {
          const plain = this.decrypt(recordId, field, value);
          settle(field, plain);
          return plain;
        },
        set: (next: unknown) => settle(field, next),
      });
    }
    return out;
  }

  /** True when encryption is on and some field is still plaintext or under a key other than the primary. */
  needsUpgrade(fields: Record<string, unknown>): boolean {
    if (!this.#primary) return false;
    return Object.values(fields).some((value) => !isEnvelope(value) || value.kid !== this.#primary);
  }
}
