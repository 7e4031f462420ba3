// Parks installs the service did not start (a callback or webhook without our state): the exchanged grant waits in
// the cache, encrypted, for at most 10 minutes, until a signed-in user confirms it for an account. It owns the
// single-use rules (one confirm, one browser claim per code) and never logs or returns a secret.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { SdkError, type CacheStore, type PendingInstall } from "@sdk/core";
import { lazySchema, internalKey, isEnvelope, type ProviderContext } from "@sdk/core/provider-kit";
import type { z } from "zod";
import { cacheCipher } from "./cache-cipher.js";
import { hashBinding } from "./install-state.js";
import { wallClockNow } from "./wall-clock.js";

/** The longest a pending install may wait: a provider's code lives 10 minutes (Slack, Sentry), so may its grant. */
export const MAX_PENDING_INSTALL_SECONDS = 600;

/** The integration a pending install becomes, less the account and user that only the confirmation supplies. */
export interface PendingGrant {
  scopes: string[];
  credentials: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

const parkedSchema = lazySchema((z) =>
  z.object({
    v: z.literal(1),
    provider: z.string(),
    /** SHA-256 of the browser binding that must confirm; null when any browser holding the id may. */
    binding: z.string().nullable(),
    expires_at: z.number(),
    /** Where the grant came from: a browser callback or a provider webhook (a webhook-parked grant may be claimed once by the browser redirect carrying the same code). */
    origin: z.enum(["callback", "webhook"]),
    grant: z.record(z.string(), z.string()),
    pending: z.object({ scopes: z.array(z.string()), credentials: z.record(z.string(), z.unknown()), metadata: z.record(z.string(), z.unknown()) }),
  }),
);

type Parked = z.infer<ReturnType<typeof parkedSchema>>;

/** What the code index says about a code: being exchanged for a pending install, or used by a signed install. */
export type CodeUse = { kind: "pending"; id: string } | { kind: "signed" };

function equalHashes(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

export function pendingInstallError(code: "pending_install_expired" | "pending_install_already_confirmed" | "pending_install_replayed", provider: string): SdkError {
  const messages = {
    pending_install_expired: "The pending install expired or does not exist: install the app again from the provider.",
    pending_install_already_confirmed: "The pending install was already confirmed; it cannot be confirmed twice.",
    pending_install_replayed: "This install callback was already received: its grant is parked once and cannot be claimed again.",
  } as const;
  return new SdkError(code, messages[code], { details: { provider } });
}

export class PendingInstallStore {
  readonly #provider: string;
  readonly #ttlMs: number;

  constructor(provider: string, ttlSeconds: number) {
    this.#provider = provider;
    this.#ttlMs = Math.min(ttlSeconds, MAX_PENDING_INSTALL_SECONDS) * 1000;
  }

  newId(): string {
    return `${this.#provider}.${randomBytes(18).toString("base64url")}`;
  }

  #key(context: ProviderContext, kind: string, id: string): string {
    return internalKey(context.keyPrefix, kind, id);
  }

  /** The code's index key: a digest, so the cache never holds the code itself. */
  #codeKey(context: ProviderContext, code: string): string {
    return this.#key(context, "pending_install_code", createHash("sha256").update(`${this.#provider}\u0000${code}`, "utf8").digest("base64url"));
  }

  /** Records the first use of a code; returns the earlier use when there was one (atomic across processes). */
  async reserveCode(context: ProviderContext, code: string, use: CodeUse): Promise<CodeUse | undefined> {
    const cache = context.requireCache();
    const key = this.#codeKey(context, code);
    const value = use.kind === "pending" ? `pending:${use.id}` : "signed";
    if (await cache.setIfAbsent(key, value, this.#ttlMs + 60_000)) return undefined;
    const earlier = await cache.get(key);
    if (earlier?.startsWith("pending:")) return { kind: "pending", id: earlier.slice("pending:".length) };
    return { kind: "signed" };
  }

  /** Forgets a reservation whose exchange failed, so the provider's own answer decides a retry. */
  async releaseCode(context: ProviderContext, code: string, use: CodeUse): Promise<void> {
    const value = use.kind === "pending" ? `pending:${use.id}` : "signed";
    await context.requireCache().deleteIfEquals(this.#codeKey(context, code), value);
  }

  async park(context: ProviderContext, args: { id: string; browserBinding: string | undefined; origin: Parked["origin"]; grant: Record<string, string>; pending: PendingGrant }): Promise<PendingInstall> {
    const expiresAt = context.now() + this.#ttlMs;
    const parked: Parked = {
      v: 1,
      provider: this.#provider,
      binding: args.browserBinding ? hashBinding(args.browserBinding) : null,
      expires_at: expiresAt,
      origin: args.origin,
      grant: args.grant,
      pending: args.pending,
    };
    await this.#write(context, args.id, parked);
    return this.#summary(args.id, parked);
  }

  async #write(context: ProviderContext, id: string, parked: Parked): Promise<string> {
    const raw = JSON.stringify(cacheCipher(context).encrypt(this.#aad(id), "pending_install", parked));
    await context.requireCache().set(this.#key(context, "pending_install", id), raw, Math.max(1, parked.expires_at - context.now()));
    return raw;
  }

  #aad(id: string): string {
    // A parked value cannot be moved under another id.
    return `pending_install:${id}`;
  }

  #summary(id: string, parked: Parked): PendingInstall {
    return { pending_install_id: id, provider: this.#provider, grant: { ...parked.grant }, expires_at: new Date(parked.expires_at).toISOString() };
  }

  /** The parked value and its raw form, or the code explaining why there is none. */
  async #read(context: ProviderContext, id: string): Promise<{ raw: string; parked: Parked }> {
    const cache = context.requireCache();
    const raw = await cache.get(this.#key(context, "pending_install", id));
    const parked = raw === undefined ? undefined : this.#open(context, id, raw);
    if (raw === undefined || !parked || parked.provider !== this.#provider || parked.expires_at <= context.now()) {
      if (await cache.get(this.#key(context, "pending_install_done", id))) throw pendingInstallError("pending_install_already_confirmed", this.#provider);
      throw pendingInstallError("pending_install_expired", this.#provider);
    }
    return { raw, parked };
  }

  #checkBinding(context: ProviderContext, parked: Parked, browserBinding: string | undefined, field: string): void {
    if (parked.binding === null) return;
    if (browserBinding && equalHashes(hashBinding(browserBinding), parked.binding)) return;
    context.events.emit("state.rejected", { provider: this.#provider, code: "state_binding_mismatch" });
    throw new SdkError("state_binding_mismatch", "The pending install belongs to another browser (the one that received the install callback); it stays open for that one.", {
      details: { provider: this.#provider, field },
    });
  }

  /** What was granted, for a confirmation page. Takes nothing. */
  async describe(context: ProviderContext, id: string, browserBinding: string | undefined): Promise<PendingInstall> {
    const { parked } = await this.#read(context, id);
    this.#checkBinding(context, parked, browserBinding, "getPendingInstall.browser_binding");
    return this.#summary(id, parked);
  }

  /**
   * Hands a webhook-parked grant to the browser redirect that carries the same code: it is bound to that browser
   * from now on. Only once: the next browser with that code gets `pending_install_replayed`.
   */
  async claim(context: ProviderContext, id: string, browserBinding: string | undefined, waitMs: number): Promise<PendingInstall> {
    const cache = context.requireCache();
    const { parked } = await this.#waitFor(context, id, waitMs);
    if (parked.origin !== "webhook" || !(await cache.setIfAbsent(this.#key(context, "pending_install_claim", id), "claimed", this.#ttlMs + 60_000))) {
      throw pendingInstallError("pending_install_replayed", this.#provider);
    }
    const bound: Parked = { ...parked, origin: "callback", binding: browserBinding ? hashBinding(browserBinding) : null };
    // Overwritten in place: a confirmation that won meanwhile left its tombstone, which refuses any later confirm.
    await this.#write(context, id, bound);
    return this.#summary(id, bound);
  }

  /** A webhook-parked grant taken by the signed install that carries the same code (its state names the account). */
  async takeForSignedInstall(context: ProviderContext, id: string, waitMs: number): Promise<PendingGrant> {
    const { raw, parked } = await this.#waitFor(context, id, waitMs);
    // A grant a browser already claimed is that browser's to confirm.
    if (parked.origin !== "webhook") throw pendingInstallError("pending_install_replayed", this.#provider);
    await this.#take(context, id, raw, parked);
    return parked.pending;
  }

  /** Confirms: checks the browser, then takes the grant exactly once. */
  async confirm(context: ProviderContext, id: string, browserBinding: string | undefined): Promise<PendingGrant> {
    const { raw, parked } = await this.#read(context, id);
    this.#checkBinding(context, parked, browserBinding, "confirmPendingInstall.browser_binding");
    await this.#take(context, id, raw, parked);
    return parked.pending;
  }

  async #take(context: ProviderContext, id: string, raw: string, parked: Parked): Promise<void> {
    const cache = context.requireCache();
    // The tombstone is written first and atomically: of two confirmations in any processes, one wins, and the other
    // learns it was a second confirm rather than an expiry.
    const doneTtl = Math.max(1, parked.expires_at - context.now()) + 60_000;
    if (!(await cache.setIfAbsent(this.#key(context, "pending_install_done", id), "confirmed", doneTtl))) {
      throw pendingInstallError("pending_install_already_confirmed", this.#provider);
    }
    await cache.deleteIfEquals(this.#key(context, "pending_install", id), raw);
  }

  /** Waits (bounded) for a grant another caller is still exchanging under `id`. */
  async #waitFor(context: ProviderContext, id: string, waitMs: number): Promise<{ raw: string; parked: Parked }> {
    const cache: CacheStore = context.requireCache();
    const key = this.#key(context, "pending_install", id);
    const until = wallClockNow() + waitMs;
    for (let delay = 25; ; delay = Math.min(delay * 2, 250)) {
      if ((await cache.get(key)) !== undefined || wallClockNow() + delay > until) return this.#read(context, id);
      if (await cache.get(this.#key(context, "pending_install_done", id))) throw pendingInstallError("pending_install_already_confirmed", this.#provider);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  #open(context: ProviderContext, id: string, raw: string): Parked | undefined {
    try {
      const envelope: unknown = JSON.parse(raw);
      // Only an envelope this SDK sealed counts: a plain value planted in the cache never becomes a grant.
      if (!isEnvelope(envelope)) return undefined;
      const parsed = parkedSchema().safeParse(cacheCipher(context).decrypt(this.#aad(id), "pending_install", envelope));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}
