// Which access tokens came from a refresh that an API refusal (401) caused: a refusal of such a token is one that a
// refresh cannot cure (Atlassian's 401 "scope does not match"), so `sdk.fetch` returns it instead of rotating the
// grant again. Kept in the cache (shared by every process) under a SHA-256 of the token, never the token itself.
import { createHash } from "node:crypto";
import { internalKey } from "./cache-keys.js";
import type { CacheStore } from "./cache-store.js";

const DEFAULT_TTL_MS = 3600_000;
const MAX_TTL_MS = 24 * 3600_000;

export class CuredTokenMemory {
  readonly #cache: CacheStore | undefined;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(cache: CacheStore | undefined, prefix: string, now: () => number) {
    this.#cache = cache;
    this.#prefix = prefix;
    this.#now = now;
  }

  #key(token: string): string {
    return internalKey(this.#prefix, "refreshed_on_refusal", createHash("sha256").update(token).digest("base64url"));
  }

  /** Whether `token` was obtained by a refresh that a refusal caused. A cache failure answers false (refresh as before). */
  async has(token: string): Promise<boolean> {
    if (!this.#cache) return false;
    return (await this.#cache.get(this.#key(token)).catch(() => undefined)) !== undefined;
  }

  /** Remembers `token` until it expires (`expiresAt`, ISO 8601; an hour when unknown). Best effort. */
  async remember(token: string, expiresAt: unknown): Promise<void> {
    if (!this.#cache) return;
    const until = typeof expiresAt === "string" ? Date.parse(expiresAt) : Number.NaN;
    const ttlMs = Number.isNaN(until) ? DEFAULT_TTL_MS : Math.min(MAX_TTL_MS, Math.max(60_000, until - this.#now()));
    await this.#cache.set(this.#key(token), "1", ttlMs).catch(() => undefined);
  }
}
