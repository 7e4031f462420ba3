// Parks a multi-site install until the user picks a site: the exchanged tokens and the draft wait in the cache,
// encrypted, for a few minutes, bound to the browser, user and account of the signed state, and are taken exactly
// once (an atomic deleteIfEquals on the parked value). It never stores anything in plaintext and never logs it.
// Types this file's error codes (SdkErrorDetailsMap augmentation).
import type {} from "./atlassian-errors.js";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { SdkError, type IntegrationDraft } from "@sdk/core";
import { lazySchema, internalKey, isEnvelope, type ProviderContext, type SiteSelectionInput } from "@sdk/core/provider-kit";
import { cacheCipher, hashBinding, type StatePayload } from "@sdk/oauth";
import type { z } from "zod";
import type { AccessibleSite } from "./accessible-resources.js";

/** A site as the picker shows it (`details.sites` of `atlassian_site_selection_required`). */
export interface SelectableSite {
  cloud_id: string;
  name: string;
  url: string;
  avatar_url: string | null;
}

export interface ParkedSelection {
  selection_id: string;
  sites: SelectableSite[];
  /** ISO 8601. */
  expires_at: string;
}

const parkedSchema = lazySchema((z) =>
  z.object({
    v: z.literal(1),
    provider: z.string(),
    user_id: z.string(),
    account_id: z.string(),
    binding: z.string().nullable(),
    expires_at: z.number(),
    sites: z.array(z.object({ cloud_id: z.string(), name: z.string(), url: z.string(), avatar_url: z.string().nullable(), scopes: z.array(z.string()).nullable() })),
    draft: z.custom<IntegrationDraft>((value) => typeof value === "object" && value !== null),
  }),
);

type Parked = z.infer<ReturnType<typeof parkedSchema>>;

const selectionKey = (context: ProviderContext, selectionId: string) => internalKey(context.keyPrefix, "site_selection", selectionId);
/** Additional data of the envelope: a parked value cannot be replayed under another selection id. */
const aadId = (selectionId: string) => `site_selection:${selectionId}`;

function expired(provider: string): SdkError {
  return new SdkError("site_selection_expired", "The site selection expired or was already used: start the install again from buildInstallUrl.", {
    details: { provider },
  });
}

function equalHashes(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

function equalIds(a: string, b: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(a), digest(b));
}

export class SiteSelectionStore {
  readonly #provider: string;
  readonly #ttlMs: number;

  constructor(provider: string, ttlSeconds: number) {
    this.#provider = provider;
    this.#ttlMs = ttlSeconds * 1000;
  }

  /** Parks the draft and its candidate sites; returns what the picker needs. */
  async park(context: ProviderContext, args: { state: StatePayload; draft: IntegrationDraft; sites: AccessibleSite[] }): Promise<ParkedSelection> {
    const cache = context.requireCache();
    const selectionId = `${this.#provider}.${randomBytes(18).toString("base64url")}`;
    const expiresAt = context.now() + this.#ttlMs;
    const parked: Parked = {
      v: 1,
      provider: this.#provider,
      user_id: args.state.user_id,
      account_id: args.draft.account_id,
      binding: args.state.binding,
      expires_at: expiresAt,
      sites: args.sites,
      draft: args.draft,
    };
    const envelope = cacheCipher(context).encrypt(aadId(selectionId), "parked", parked);
    await cache.set(selectionKey(context, selectionId), JSON.stringify(envelope), this.#ttlMs);
    return { selection_id: selectionId, sites: args.sites.map(selectable), expires_at: new Date(expiresAt).toISOString() };
  }

  /**
   * Checks the completion against the parked install and takes it (once). Order: expired/unknown -> browser binding
   * -> user/account -> site -> atomic take. A wrong browser, user or site leaves the selection usable.
   */
  async take(context: ProviderContext, input: SiteSelectionInput): Promise<{ draft: IntegrationDraft; site: AccessibleSite }> {
    const cache = context.requireCache();
    const key = selectionKey(context, input.selection_id);
    const raw = await cache.get(key);
    if (raw === undefined) throw expired(this.#provider);
    const parked = this.#open(context, input.selection_id, raw);
    if (!parked || parked.provider !== this.#provider) throw expired(this.#provider);
    if (parked.expires_at <= context.now()) {
      await cache.deleteIfEquals(key, raw);
      throw expired(this.#provider);
    }
    if (parked.binding !== null) {
      const given = input.browser_binding;
      if (!given || !equalHashes(hashBinding(given), parked.binding)) throw this.#mismatch(context, "completeSiteSelection.browser_binding", "browser");
    }
    if (input.user_id !== undefined && !equalIds(input.user_id, parked.user_id)) throw this.#mismatch(context, "completeSiteSelection.user_id", "user");
    if (input.account_id !== undefined && !equalIds(input.account_id, parked.account_id)) throw this.#mismatch(context, "completeSiteSelection.account_id", "account");
    const site = parked.sites.find((candidate) => candidate.cloud_id === input.cloud_id);
    if (!site) {
      throw new SdkError("site_not_in_selection", `"completeSiteSelection.cloud_id" is not one of the sites offered; pick one of details.cloud_ids.`, {
        details: { provider: this.#provider, field: "completeSiteSelection.cloud_id", cloud_ids: parked.sites.map((candidate) => candidate.cloud_id) },
      });
    }
    // Single use across processes: only the caller that deletes the exact parked value gets the tokens.
    if (!(await cache.deleteIfEquals(key, raw))) throw expired(this.#provider);
    return { draft: parked.draft, site };
  }

  #open(context: ProviderContext, selectionId: string, raw: string): Parked | undefined {
    try {
      const envelope: unknown = JSON.parse(raw);
      // Only an envelope this SDK sealed counts (the cipher would pass a plain value through as 1.x plaintext).
      if (!isEnvelope(envelope)) return undefined;
      const plain = cacheCipher(context).decrypt(aadId(selectionId), "parked", envelope);
      const parsed = parkedSchema().safeParse(plain);
      return parsed.success ? parsed.data : undefined;
    } catch {
      // Altered, or sealed with a key no longer configured: as good as gone.
      return undefined;
    }
  }

  #mismatch(context: ProviderContext, field: string, who: "browser" | "user" | "account"): SdkError {
    context.events.emit("state.rejected", { provider: this.#provider, code: "state_binding_mismatch" });
    const subject = who === "browser" ? "the browser" : `the ${who}`;
    return new SdkError("state_binding_mismatch", `The site selection does not come from ${subject} that started the install; the selection stays open for it.`, {
      details: { provider: this.#provider, field },
    });
  }
}

function selectable(site: AccessibleSite): SelectableSite {
  return { cloud_id: site.cloud_id, name: site.name, url: site.url, avatar_url: site.avatar_url };
}
