// The rotation journal: `{ from: sha256(old refresh token), to: new refresh token }`, sealed with the cache cipher, kept
// in the cache between the provider's answer to a refresh and the record write, so a holder that dies in that window
// does not lose the rotated token. One entry per grant (keyed by the refresh lock); its lifetime is refresh-protocol.ts's.
import { createHash } from "node:crypto";
import { type CacheStore } from "@sdk/core";
import { internalKey, isEnvelope, type ProviderContext } from "@sdk/core/provider-kit";
import { cacheCipher } from "./cache-cipher.js";

/** An entry outlives any crash recovery worth doing; the refresh deletes it long before. */
const JOURNAL_TTL_MS = 7 * 24 * 3600 * 1000;

/** A refresh token's SHA-256, so the journal can name the token it replaces without holding it. */
function fingerprint(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export class RotationJournal {
  /** The cache key of the entry (exposed for clean-up and tests). */
  readonly key: string;
  readonly #context: ProviderContext;
  readonly #cache: CacheStore;
  /** The refresh-lock key: the additional data that binds a sealed entry to its grant. */
  readonly #lockKey: string;

  constructor(context: ProviderContext, cache: CacheStore, lockKey: string) {
    this.key = internalKey(context.keyPrefix, "rotation", lockKey);
    this.#context = context;
    this.#cache = cache;
    this.#lockKey = lockKey;
  }

  /** The entry as the cache holds it (sealed), for `pendingFor`: lets the holder read it together with the record. */
  read(): Promise<string | undefined> {
    return this.#cache.get(this.key);
  }

  /**
   * The rotated token a previous holder got for `stored` but never wrote, if the journal says so. `entry` is the
   * value `read()` returned, when it was read already (under the same lock hold).
   */
  async pendingFor(stored: string, entry?: { raw: string | undefined }): Promise<string | undefined> {
    const raw = entry ? entry.raw : await this.read();
    if (raw === undefined) return undefined;
    try {
      const envelope = JSON.parse(raw) as unknown;
      // Only what this SDK sealed: a plain value planted in the cache must never become a refresh token.
      if (!isEnvelope(envelope)) return undefined;
      const entry = cacheCipher(this.#context).decrypt(this.#lockKey, "rotation", envelope) as { from?: unknown; to?: unknown };
      if (typeof entry?.from !== "string" || typeof entry.to !== "string") return undefined;
      return entry.from === fingerprint(stored) ? entry.to : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records that `from` was rotated to `to`; false when the cache refused (the caller writes the record anyway). */
  async write(from: string, to: string): Promise<boolean> {
    const sealed = JSON.stringify(cacheCipher(this.#context).encrypt(this.#lockKey, "rotation", { from: fingerprint(from), to }));
    return this.#cache.set(this.key, sealed, JOURNAL_TTL_MS).then(() => true, () => false);
  }

  /** Best effort: an entry left behind is harmless (its `from` no longer matches the stored token) and expires. */
  async delete(): Promise<void> {
    await this.#cache.delete(this.key).catch(() => undefined);
  }
}
