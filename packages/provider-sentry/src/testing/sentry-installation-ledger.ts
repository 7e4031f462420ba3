// The state behind the Sentry emulator: installations (one live per organization) with the grant code issued at
// install, installation tokens (a refresh deletes the old row, access and refresh token at once), internal-integration
// and org auth tokens, and releases. It knows no HTTP: the emulator maps each outcome to Sentry's status codes and
// bodies (providers/sentry.md; sentry_apps/token_exchange/grant_exchanger.py and refresher.py).
import { randomBytes, randomUUID } from "node:crypto";

export interface SentryLedgerRules {
  now: () => number;
  /** Installation token lifetime (Sentry's `TOKEN_LIFE_IN_HOURS = 8`). */
  accessTokenTtlMs: number;
  /** Grant code lifetime. */
  codeTtlMs: number;
  /** UNSURE: Sentry documents no refresh-token expiry; undefined never expires. */
  refreshTokenTtlMs: number | undefined;
  /** The app's scopes: installation tokens carry them. */
  scopes: readonly string[];
}

export interface SentryInstallation {
  uuid: string;
  orgSlug: string;
  user: string;
  status: "pending" | "installed";
  /** The grant code issued at install; the "created" webhook carries it, as Sentry's does. */
  code: string;
  /** When it was installed (the redirect uses the code at once; a late webhook shows its age). */
  createdAt: number;
  deleted: boolean;
}

export interface SentryInstallationToken {
  id: string;
  installationId: string;
  token: string;
  refreshToken: string;
  createdAt: number;
  expiresAt: number;
}

/** Who a bearer token is: an installation's token, an internal-integration token or an org auth token. */
export type SentryPrincipal =
  | { kind: "installation"; installation: SentryInstallation; orgSlug: string; scopes: readonly string[] }
  | { kind: "org_token" | "org_auth_token"; orgSlug: string; scopes: readonly string[] };

export type SentryTokenOutcome =
  | { ok: true; token: SentryInstallationToken }
  /** grant_exchanger.py: unknown code, a code of another installation, an expired code. */
  | { ok: false; reason: "unknown_code" | "other_installation" | "code_expired" }
  /** refresher.py: unknown (or expired) refresh token, a token of another installation. */
  | { ok: false; reason: "unknown_refresh_token" | "refresh_of_other_installation" };

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

export class SentryInstallationLedger {
  readonly #rules: SentryLedgerRules;
  readonly #installations = new Map<string, SentryInstallation>();
  readonly #grants = new Map<string, { installationId: string; expiresAt: number }>();
  readonly #tokens = new Map<string, SentryInstallationToken>();
  readonly #tokensByRefresh = new Map<string, SentryInstallationToken>();
  readonly #orgTokens = new Map<string, { kind: "org_token" | "org_auth_token"; orgSlug: string; scopes: readonly string[] }>();
  readonly #releases = new Map<string, Array<{ version: string; dateCreated: string }>>();
  readonly #userIds = new Map<string, number>();
  #nextTokenId = 1;

  constructor(rules: SentryLedgerRules) {
    this.#rules = rules;
  }

  /** Creates the installation and its grant (sentry_apps/installations.py: the code is issued with the install). */
  install(orgSlug: string, user: string): SentryInstallation {
    const now = this.#rules.now();
    const installation: SentryInstallation = { uuid: randomUUID(), orgSlug, user, status: "pending", code: hex(16), createdAt: now, deleted: false };
    this.#installations.set(installation.uuid, installation);
    this.#grants.set(installation.code, { installationId: installation.uuid, expiresAt: now + this.#rules.codeTtlMs });
    return installation;
  }

  /** Any installation ever made, uninstalled ones included (webhooks about them still name them). */
  installation(uuid: string): SentryInstallation | undefined {
    return this.#installations.get(uuid);
  }

  liveInstallation(uuid: string | undefined): SentryInstallation | undefined {
    const found = this.#installations.get(uuid ?? "");
    return found && !found.deleted ? found : undefined;
  }

  liveInstallationOf(orgSlug: string): SentryInstallation | undefined {
    return [...this.#installations.values()].find((found) => !found.deleted && found.orgSlug === orgSlug);
  }

  exchangeCode(installation: SentryInstallation, code: string): SentryTokenOutcome {
    const grant = this.#grants.get(code);
    if (!grant) return { ok: false, reason: "unknown_code" };
    if (grant.installationId !== installation.uuid) return { ok: false, reason: "other_installation" };
    if (grant.expiresAt <= this.#rules.now()) return { ok: false, reason: "code_expired" };
    this.#grants.delete(code);
    return { ok: true, token: this.#issue(installation) };
  }

  refresh(installation: SentryInstallation, refreshToken: string): SentryTokenOutcome {
    const current = this.#tokensByRefresh.get(refreshToken);
    const ttl = this.#rules.refreshTokenTtlMs;
    const expired = current !== undefined && ttl !== undefined && current.createdAt + ttl <= this.#rules.now();
    if (!current || expired) return { ok: false, reason: "unknown_refresh_token" };
    if (current.installationId !== installation.uuid) return { ok: false, reason: "refresh_of_other_installation" };
    // Sentry deletes the old token row in the same transaction: the old access and refresh tokens die at once.
    this.#deleteToken(current);
    return { ok: true, token: this.#issue(installation) };
  }

  /** The principal of a presented bearer token, or why there is none (401 in every case). */
  authenticate(presented: string): SentryPrincipal | { kind: "invalid" } | { kind: "expired" } {
    const orgToken = this.#orgTokens.get(presented);
    if (orgToken) return { ...orgToken };
    const row = this.#tokens.get(presented);
    const installation = this.liveInstallation(row?.installationId);
    if (!row || !installation) return { kind: "invalid" };
    if (row.expiresAt <= this.#rules.now()) return { kind: "expired" };
    return { kind: "installation", installation, orgSlug: installation.orgSlug, scopes: this.#rules.scopes };
  }

  /** Keeps an internal-integration (`org_token`) or org auth token (`org_auth_token`) made by the emulator. */
  addOrgToken(token: string, grant: { kind: "org_token" | "org_auth_token"; orgSlug: string; scopes: readonly string[] }): void {
    this.#orgTokens.set(token, grant);
  }

  revokeOrgToken(token: string): void {
    this.#orgTokens.delete(token);
  }

  /** The organization removed the app: the installation, its grant and its tokens are deleted. */
  uninstall(installationId: string): boolean {
    const installation = this.liveInstallation(installationId);
    if (!installation) return false;
    installation.deleted = true;
    this.#grants.delete(installation.code);
    for (const row of [...this.#tokens.values()]) if (row.installationId === installationId) this.#deleteToken(row);
    return true;
  }

  releasesOf(orgSlug: string): Array<{ version: string; dateCreated: string }> {
    return this.#releases.get(orgSlug) ?? [];
  }

  addRelease(orgSlug: string, version: string): { version: string; dateCreated: string } {
    const release = { version, dateCreated: new Date(this.#rules.now()).toISOString() };
    this.#releases.set(orgSlug, [release, ...this.releasesOf(orgSlug)]);
    return release;
  }

  /** A stable numeric Sentry user id per user name, as webhooks' `actor.id` carries one. */
  userId(user: string): number {
    if (!this.#userIds.has(user)) this.#userIds.set(user, this.#userIds.size + 1);
    return this.#userIds.get(user)!;
  }

  #issue(installation: SentryInstallation): SentryInstallationToken {
    const now = this.#rules.now();
    const row: SentryInstallationToken = { id: String(this.#nextTokenId++), installationId: installation.uuid, token: hex(32), refreshToken: hex(32), createdAt: now, expiresAt: now + this.#rules.accessTokenTtlMs };
    this.#tokens.set(row.token, row);
    this.#tokensByRefresh.set(row.refreshToken, row);
    return row;
  }

  #deleteToken(row: SentryInstallationToken): void {
    this.#tokens.delete(row.token);
    this.#tokensByRefresh.delete(row.refreshToken);
  }
}
