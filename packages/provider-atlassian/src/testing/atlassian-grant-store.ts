// The state behind the Atlassian emulator: one grant per user and app (its sites and scopes), authorization codes,
// access tokens, and the rotating refresh-token chains with Atlassian's reuse leeway and family revocation.
// It knows no HTTP: the emulator maps each outcome to Atlassian's status codes and bodies.
import { randomBytes } from "node:crypto";

export interface GrantRules {
  now: () => number;
  accessTokenTtlSeconds: number;
  codeTtlMs: number;
  reuseWindowMs: number;
  refreshInactivityMs: number;
  refreshMaxLifetimeMs: number;
  reconsentKeepsRefreshChain: boolean;
}

interface Grant {
  user: string;
  scopes: Set<string>;
  sites: Set<string>;
  /** The user removed the app: every token of the grant is dead. */
  revoked: boolean;
  chains: Chain[];
}

/** One refresh-token chain: born at a code exchange with offline_access, one current token at a time. */
interface Chain {
  grant: Grant;
  createdAt: number;
  /** Bumped each time the current token is exchanged; a retired token may be reused only from the generation before. */
  generation: number;
  current: string;
  /** Family revocation after reuse (or revokeUser): the user must consent again. */
  revoked: boolean;
  /** A later consent replaced this chain (only with `reconsentKeepsRefreshChain: false`). */
  superseded: boolean;
}

interface RefreshRecord {
  chain: Chain;
  generation: number;
  issuedAt: number;
  /** When it stopped being the chain's current token. */
  retiredAt?: number;
}

interface CodeRecord {
  grant: Grant;
  redirectUri: string;
  offline: boolean;
  expiresAt: number;
}

export interface AccessGrant {
  user: string;
  /** Scopes the token was issued with. */
  scopes: string[];
  /** The grant's sites now (an access token reaches every site of its grant). */
  sites: ReadonlySet<string>;
}

export interface TokenSet {
  access_token: string;
  expires_in: number;
  token_type: "Bearer";
  refresh_token?: string;
  scope: string;
}

export type ExchangeOutcome = { ok: true; tokens: TokenSet } | { ok: false; reason: "invalid_code" | "redirect_mismatch" };

export type RefreshOutcome =
  | { ok: true; tokens: TokenSet; reusedWithinWindow: boolean }
  | { ok: false; reason: "unknown" | "revoked" | "expired" | "reuse"; familyRevokedNow?: boolean };

const opaque = (prefix: string) => `${prefix}_${randomBytes(24).toString("base64url")}`;

export class AtlassianGrantStore {
  readonly #rules: GrantRules;
  readonly #grants = new Map<string, Grant>();
  readonly #codes = new Map<string, CodeRecord>();
  readonly #refreshTokens = new Map<string, RefreshRecord>();
  readonly #accessTokens = new Map<string, { grant: Grant; scopes: string[]; expiresAt: number }>();

  constructor(rules: GrantRules) {
    this.#rules = rules;
  }

  /** Records a consent: adds scopes and sites to the user's one grant and returns an authorization code. */
  approve(consent: { user: string; scopes: string[]; sites: string[]; redirectUri: string }): string {
    let grant = this.#grants.get(consent.user);
    if (!grant) {
      grant = { user: consent.user, scopes: new Set(), sites: new Set(), revoked: false, chains: [] };
      this.#grants.set(consent.user, grant);
    }
    for (const scope of consent.scopes) grant.scopes.add(scope);
    for (const site of consent.sites) grant.sites.add(site);
    const code = opaque("code");
    this.#codes.set(code, {
      grant,
      redirectUri: consent.redirectUri,
      offline: consent.scopes.includes("offline_access"),
      expiresAt: this.#rules.now() + this.#rules.codeTtlMs,
    });
    return code;
  }

  exchange(code: string, redirectUri: string): ExchangeOutcome {
    const pending = this.#codes.get(code);
    // Single use: the code is spent by its first presentation, whatever the outcome.
    this.#codes.delete(code);
    if (!pending || pending.grant.revoked || pending.expiresAt <= this.#rules.now()) return { ok: false, reason: "invalid_code" };
    if (pending.redirectUri !== redirectUri) return { ok: false, reason: "redirect_mismatch" };
    const { grant } = pending;
    let refreshToken: string | undefined;
    if (pending.offline) {
      if (!this.#rules.reconsentKeepsRefreshChain) for (const chain of grant.chains) chain.superseded = true;
      const chain: Chain = { grant, createdAt: this.#rules.now(), generation: 0, current: "", revoked: false, superseded: false };
      grant.chains.push(chain);
      refreshToken = this.#issueRefresh(chain);
    }
    return { ok: true, tokens: this.#tokens(grant, refreshToken) };
  }

  /** `rotate: false` answers without a new refresh token: the presented one stays the chain's current token. */
  refresh(presented: string, options: { rotate?: boolean } = {}): RefreshOutcome {
    const record = this.#refreshTokens.get(presented);
    if (!record) return { ok: false, reason: "unknown" };
    const { chain } = record;
    const now = this.#rules.now();
    if (chain.grant.revoked || chain.superseded) return { ok: false, reason: "revoked" };
    if (record.retiredAt !== undefined) {
      const inWindow = now - record.retiredAt <= this.#rules.reuseWindowMs && record.generation >= chain.generation - 1;
      if (!inWindow) {
        const familyRevokedNow = !chain.revoked;
        for (const sibling of chain.grant.chains) sibling.revoked = true;
        return { ok: false, reason: "reuse", familyRevokedNow };
      }
    }
    if (chain.revoked) return { ok: false, reason: "revoked" };
    if (now - chain.createdAt > this.#rules.refreshMaxLifetimeMs) return { ok: false, reason: "expired" };
    if (record.retiredAt === undefined && now - record.issuedAt > this.#rules.refreshInactivityMs) return { ok: false, reason: "expired" };

    const reusedWithinWindow = record.retiredAt !== undefined;
    if (options.rotate === false && !reusedWithinWindow) {
      record.issuedAt = now;
      return { ok: true, tokens: this.#tokens(chain.grant, undefined), reusedWithinWindow };
    }
    // Inside the leeway the old token gets a fresh token too (Auth0 semantics); the token it displaces keeps
    // its own leeway, so two racing refreshers both succeed once and the loser's token dies with the window.
    this.#refreshTokens.get(chain.current)!.retiredAt = now;
    if (!reusedWithinWindow) chain.generation += 1;
    return { ok: true, tokens: this.#tokens(chain.grant, this.#issueRefresh(chain)), reusedWithinWindow };
  }

  /** The grant behind a live access token, or undefined (unknown, expired, or the user removed the app). */
  accessGrant(accessToken: string): AccessGrant | undefined {
    const access = this.#accessTokens.get(accessToken);
    if (!access || access.grant.revoked || access.expiresAt <= this.#rules.now()) return undefined;
    return { user: access.grant.user, scopes: access.scopes, sites: access.grant.sites };
  }

  /** The user removed the app: every token of the grant stops working and the next consent starts a new grant. */
  revokeUser(user: string): void {
    const grant = this.#grants.get(user);
    if (!grant) return;
    grant.revoked = true;
    for (const chain of grant.chains) chain.revoked = true;
    this.#grants.delete(user);
  }

  isFamilyRevoked(refreshToken: string): boolean {
    return this.#refreshTokens.get(refreshToken)?.chain.revoked ?? false;
  }

  /** Replaces the sites of the user's grant (an admin removed the app from a site, or added it). */
  setSites(user: string, sites: string[]): void {
    const grant = this.#grants.get(user);
    if (!grant) throw new Error(`user ${user} has no grant to set sites on`);
    grant.sites.clear();
    for (const site of sites) grant.sites.add(site);
  }

  grantOf(user: string): { scopes: string[]; sites: string[]; refreshChains: number } | undefined {
    const grant = this.#grants.get(user);
    if (!grant) return undefined;
    const live = grant.chains.filter((chain) => !chain.revoked && !chain.superseded).length;
    return { scopes: [...grant.scopes], sites: [...grant.sites], refreshChains: live };
  }

  #issueRefresh(chain: Chain): string {
    const token = opaque("atl_rt");
    this.#refreshTokens.set(token, { chain, generation: chain.generation, issuedAt: this.#rules.now() });
    chain.current = token;
    return token;
  }

  #tokens(grant: Grant, refreshToken: string | undefined): TokenSet {
    const access = opaque("atl_at");
    const scopes = [...grant.scopes];
    const ttl = this.#rules.accessTokenTtlSeconds;
    this.#accessTokens.set(access, { grant, scopes, expiresAt: this.#rules.now() + ttl * 1000 });
    return {
      access_token: access,
      expires_in: ttl,
      token_type: "Bearer",
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      scope: scopes.join(" "),
    };
  }
}
