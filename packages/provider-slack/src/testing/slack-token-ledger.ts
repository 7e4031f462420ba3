// The Slack emulator's memory: installs (one per workspace or Enterprise Grid org), their bot and user token chains,
// and Slack's rotation rules (12 h access tokens, a new refresh token per refresh, a grace period for the old one, at
// most N live access tokens per chain, oldest revoked first). It knows nothing of HTTP or wire bodies.
import { randomBytes } from "node:crypto";
import type { Clock } from "@sdk/oauth/testing";

export interface SlackEnterprise {
  /** `E…` */
  id: string;
  name: string;
  /** `{domain}.enterprise.slack.com` */
  domain: string;
}

export interface SlackWorkspace {
  /** `T…` */
  id: string;
  name: string;
  /** `{domain}.slack.com` */
  domain: string;
  /** Set when the workspace belongs to an Enterprise Grid org; the org can then be installed as a whole. */
  enterprise?: SlackEnterprise;
}

/** Where an app is installed: one workspace, or a whole Enterprise Grid org (`is_enterprise_install`). */
export type SlackInstallTarget = { kind: "workspace"; workspace: SlackWorkspace } | { kind: "enterprise"; enterprise: SlackEnterprise };

export interface SlackInstall {
  /** The workspace id, or the enterprise id for an org install. */
  id: string;
  team: SlackWorkspace | undefined;
  enterprise: SlackEnterprise | undefined;
  isEnterpriseInstall: boolean;
  botUserId: string;
  botId: string;
  /** The user who installed last; refresh responses name them in `authed_user.id`. */
  installerUserId: string;
  /** Scopes only add up across installs (Slack cannot downgrade them). */
  botScopes: Set<string>;
  userScopes: Map<string, Set<string>>;
}

export interface SlackTokenChain {
  /** `bot:{installId}` or `user:{installId}:{userId}`. */
  id: string;
  kind: "bot" | "user";
  install: SlackInstall;
  /** The bot user id for a bot chain. */
  userId: string;
  /** Issue order, oldest first. */
  accessTokens: string[];
  refreshToken: string | undefined;
  /** Rotated-out refresh tokens and when they were rotated out. */
  rotatedOut: Map<string, number>;
  revoked: boolean;
  refreshes: number;
}

export interface SlackAccessToken {
  value: string;
  chain: SlackTokenChain;
  issuedAt: number;
  /** Undefined for long-lived tokens (rotation off). */
  expiresAt: number | undefined;
  revoked: boolean;
}

export interface IssuedToken {
  chain: SlackTokenChain;
  accessToken: string;
  /** Present with rotation only. */
  refreshToken: string | undefined;
  expiresIn: number | undefined;
  scopes: string[];
}

export type TokenLookup =
  | { status: "live"; token: SlackAccessToken }
  | { status: "expired" | "revoked"; token: SlackAccessToken }
  | { status: "unknown" };

export type RefreshOutcome = { ok: true; issued: IssuedToken; reused: boolean } | { ok: false; reused: boolean };

export interface SlackTokenLedgerOptions {
  clock: Clock;
  tokenRotation: boolean;
  accessTokenTtlSeconds: number;
  refreshGraceMs: number;
  maxLiveAccessTokens: number;
}

// Slack tokens are dash-separated alphanumerics; hex keeps them in that alphabet.
const random = (bytes: number) => randomBytes(bytes).toString("hex");
const digits = () => String(Number.parseInt(random(5), 16)).padStart(12, "0");

export class SlackTokenLedger {
  readonly #options: SlackTokenLedgerOptions;
  readonly #installs = new Map<string, SlackInstall>();
  readonly #chains = new Map<string, SlackTokenChain>();
  readonly #tokens = new Map<string, SlackAccessToken>();
  // A bot user outlives uninstalls: reinstalling the app into a workspace brings back the same bot user.
  readonly #botIdentities = new Map<string, { botUserId: string; botId: string }>();
  /** Access tokens revoked because a chain went over its live-token limit. */
  evictions = 0;

  constructor(options: SlackTokenLedgerOptions) {
    this.#options = options;
  }

  /** Records an approved install and issues (or, without rotation, hands back) the bot and user tokens. */
  grant(target: SlackInstallTarget, userId: string, botScopes: string[], userScopes: string[]): { install: SlackInstall; bot: IssuedToken | undefined; user: IssuedToken | undefined } {
    const install = this.#install(target, userId);
    for (const scope of botScopes) install.botScopes.add(scope);
    if (userScopes.length > 0) {
      const granted = install.userScopes.get(userId) ?? new Set<string>();
      for (const scope of userScopes) granted.add(scope);
      install.userScopes.set(userId, granted);
    }
    const bot = botScopes.length > 0 ? this.#issueOnGrant(this.#chain(install, "bot", install.botUserId)) : undefined;
    const user = userScopes.length > 0 ? this.#issueOnGrant(this.#chain(install, "user", userId)) : undefined;
    return { install, bot, user };
  }

  refresh(refreshToken: string): RefreshOutcome {
    const now = this.#options.clock.now();
    for (const chain of this.#chains.values()) {
      const current = chain.refreshToken === refreshToken;
      const rotatedAt = chain.rotatedOut.get(refreshToken);
      if (!current && rotatedAt === undefined) continue;
      const reused = !current;
      if (chain.revoked) return { ok: false, reused };
      if (rotatedAt !== undefined && now - rotatedAt >= this.#options.refreshGraceMs) return { ok: false, reused };
      chain.refreshes += 1;
      return { ok: true, reused, issued: this.#issue(chain, true) };
    }
    return { ok: false, reused: false };
  }

  lookup(value: string): TokenLookup {
    const token = this.#tokens.get(value);
    if (!token) return { status: "unknown" };
    if (token.revoked || token.chain.revoked) return { status: "revoked", token };
    if (token.expiresAt !== undefined && token.expiresAt <= this.#options.clock.now()) return { status: "expired", token };
    return { status: "live", token };
  }

  scopesOf(chain: SlackTokenChain): string[] {
    return [...(chain.kind === "bot" ? chain.install.botScopes : (chain.install.userScopes.get(chain.userId) ?? []))];
  }

  /** `auth.revoke`: with rotation one access token goes; without it the grant behind the token (token and scopes) goes. */
  revoke(token: SlackAccessToken): void {
    if (this.#options.tokenRotation) {
      token.revoked = true;
      return;
    }
    const { chain } = token;
    this.#revokeChain(chain);
    if (chain.kind === "bot") chain.install.botScopes.clear();
    else chain.install.userScopes.delete(chain.userId);
  }

  /** The app was uninstalled from a workspace or org: every token of the install stops working. */
  removeInstall(installId: string): boolean {
    const install = this.#installs.get(installId);
    if (!install) return false;
    for (const chain of this.#chains.values()) if (chain.install === install) this.#revokeChain(chain);
    this.#installs.delete(installId);
    return true;
  }

  installOf(installId: string): SlackInstall | undefined {
    return this.#installs.get(installId);
  }

  /** A user took back their authorization: their user chain stops working and their user scopes go; the install stays. */
  revokeUser(installId: string, userId: string): boolean {
    const chain = this.#chains.get(`user:${installId}:${userId}`);
    if (!chain || chain.revoked) return false;
    this.#revokeChain(chain);
    chain.install.userScopes.delete(userId);
    return true;
  }

  expire(value: string): boolean {
    const token = this.#tokens.get(value);
    if (!token) return false;
    token.expiresAt = Math.min(token.expiresAt ?? Number.POSITIVE_INFINITY, this.#options.clock.now());
    return true;
  }

  /** The chain that issued an access or refresh token (current or rotated-out). */
  chainOf(value: string): SlackTokenChain | undefined {
    const token = this.#tokens.get(value);
    if (token) return token.chain;
    for (const chain of this.#chains.values()) if (chain.refreshToken === value || chain.rotatedOut.has(value)) return chain;
    return undefined;
  }

  chains(): SlackTokenChain[] {
    return [...this.#chains.values()];
  }

  liveAccessTokens(chain: SlackTokenChain): string[] {
    return chain.accessTokens.filter((value) => this.lookup(value).status === "live");
  }

  #install(target: SlackInstallTarget, userId: string): SlackInstall {
    const id = target.kind === "workspace" ? target.workspace.id : target.enterprise.id;
    const existing = this.#installs.get(id);
    if (existing) {
      existing.installerUserId = userId;
      return existing;
    }
    let identity = this.#botIdentities.get(id);
    if (!identity) {
      // Org users (bots included) carry W ids, workspace users U ids.
      const prefix = target.kind === "enterprise" ? "W" : "U";
      identity = { botUserId: `${prefix}0BOT${random(3).toUpperCase()}`, botId: `B0${random(4).toUpperCase()}` };
      this.#botIdentities.set(id, identity);
    }
    const install: SlackInstall = {
      id,
      team: target.kind === "workspace" ? target.workspace : undefined,
      enterprise: target.kind === "workspace" ? target.workspace.enterprise : target.enterprise,
      isEnterpriseInstall: target.kind === "enterprise",
      ...identity,
      installerUserId: userId,
      botScopes: new Set(),
      userScopes: new Map(),
    };
    this.#installs.set(id, install);
    return install;
  }

  #chain(install: SlackInstall, kind: "bot" | "user", userId: string): SlackTokenChain {
    const id = kind === "bot" ? `bot:${install.id}` : `user:${install.id}:${userId}`;
    const existing = this.#chains.get(id);
    if (existing && !existing.revoked) return existing;
    // A revoked chain is replaced, not revived: its old tokens must keep answering token_revoked.
    const chain: SlackTokenChain = { id, kind, install, userId, accessTokens: [], refreshToken: undefined, rotatedOut: new Map(), revoked: false, refreshes: 0 };
    this.#chains.set(id, chain);
    return chain;
  }

  #issueOnGrant(chain: SlackTokenChain): IssuedToken {
    if (!this.#options.tokenRotation) {
      // Long-lived tokens: a reinstall hands back the token the chain already has.
      const live = this.liveAccessTokens(chain).at(-1);
      if (live) return { chain, accessToken: live, refreshToken: undefined, expiresIn: undefined, scopes: this.scopesOf(chain) };
    }
    return this.#issue(chain, this.#options.tokenRotation);
  }

  #issue(chain: SlackTokenChain, rotating: boolean): IssuedToken {
    const now = this.#options.clock.now();
    const kindLetter = chain.kind === "bot" ? "b" : "p";
    const value = rotating ? `xoxe.xox${kindLetter}-1-${random(32)}` : `xox${kindLetter}-${digits()}-${digits()}-${random(12)}`;
    const ttl = this.#options.accessTokenTtlSeconds;
    this.#tokens.set(value, { value, chain, issuedAt: now, expiresAt: rotating ? now + ttl * 1000 : undefined, revoked: false });
    chain.accessTokens.push(value);
    this.#enforceLiveLimit(chain);
    if (rotating) {
      if (chain.refreshToken) chain.rotatedOut.set(chain.refreshToken, now);
      chain.refreshToken = `xoxe-1-${random(40)}`;
    }
    return { chain, accessToken: value, refreshToken: chain.refreshToken, expiresIn: rotating ? ttl : undefined, scopes: this.scopesOf(chain) };
  }

  #enforceLiveLimit(chain: SlackTokenChain): void {
    const live = this.liveAccessTokens(chain);
    for (const value of live.slice(0, Math.max(0, live.length - this.#options.maxLiveAccessTokens))) {
      this.#tokens.get(value)!.revoked = true;
      this.evictions += 1;
    }
  }

  #revokeChain(chain: SlackTokenChain): void {
    chain.revoked = true;
    for (const value of chain.accessTokens) this.#tokens.get(value)!.revoked = true;
  }
}
