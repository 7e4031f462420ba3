// The options of `atlassian()` and their validation: the registered app, per-product scopes, and endpoint overrides
// (the emulator). Misconfiguration fails when the SDK is built (`misconfigured`), never at the first install.
import { lazySchema, parseOptions, scopeSchema, urlSchema } from "@sdk/core/provider-kit";
import { oauthTuningSchema, type OAuthTuning } from "@sdk/oauth";
import type { z } from "zod";

/** The three products one Atlassian OAuth app covers; each is registered as a provider of the `atlassian` family. */
export type AtlassianProduct = "jira" | "jsm" | "confluence";
export const ATLASSIAN_PRODUCTS: readonly AtlassianProduct[] = ["jira", "jsm", "confluence"];

/** Family name shared by the three providers (one grant per Atlassian user and app). */
export const ATLASSIAN_FAMILY = "atlassian";

/**
 * Scopes every install requests on top of the product's: `offline_access` (a refresh token) and `read:me` (GET /me,
 * the Atlassian account that consented: siblings are grouped by it).
 * @see https://developer.atlassian.com/cloud/oauth/getting-started/implementing-oauth-3lo/
 */
export const ATLASSIAN_ALWAYS_SCOPES: readonly string[] = ["offline_access", "read:me"];

/**
 * Classic scopes requested per product unless `scopes` overrides them; `ATLASSIAN_ALWAYS_SCOPES` are always added.
 * @see https://developer.atlassian.com/cloud/jira/platform/scopes-for-oauth-2-3LO-and-forge-apps/
 */
export const ATLASSIAN_DEFAULT_SCOPES: Readonly<Record<AtlassianProduct, readonly string[]>> = {
  jira: ["read:jira-user", "read:jira-work", "write:jira-work"],
  jsm: ["read:servicedesk-request", "write:servicedesk-request", "read:jira-user"],
  confluence: ["read:confluence-content.all", "read:confluence-content.summary", "read:confluence-space.summary", "write:confluence-content", "search:confluence", "read:confluence-user"],
};

export interface AtlassianEndpointOverrides {
  /** @default "https://auth.atlassian.com/authorize" */
  authorizeUrl?: string;
  /** @default "https://auth.atlassian.com/oauth/token" */
  tokenUrl?: string;
  /** @default "https://api.atlassian.com/oauth/token/accessible-resources" */
  accessibleResourcesUrl?: string;
  /** The API gateway; product bases are `{apiBaseUrl}/ex/jira/{cloud_id}` and `{apiBaseUrl}/ex/confluence/{cloud_id}`. @default "https://api.atlassian.com" */
  apiBaseUrl?: string;
  /** The consenting user's profile (needs `read:me`). @default "https://api.atlassian.com/me" */
  meUrl?: string;
}

export interface AtlassianOptions extends OAuthTuning {
  /** The OAuth 2.0 (3LO) app's client id (developer console). */
  clientId: string;
  clientSecret: string;
  /** Must equal the app's callback URL exactly. */
  redirectUri: string;
  /** 1.x hook: fills `account_id` / `created_by` when `buildInstallUrl` gets only `user_id`. */
  identityResolver?: (userId: string) => Promise<{ account_id: string; created_by?: string }>;
  /** Scopes per product, replacing `ATLASSIAN_DEFAULT_SCOPES` for that product; `offline_access` and `read:me` are always added. */
  scopes?: Partial<Record<AtlassianProduct, string[]>>;
  /** Endpoint overrides, e.g. `emulator.endpoints` from `@sdk/provider-atlassian/testing`. */
  endpoints?: AtlassianEndpointOverrides;
  /** How long a parked multi-site install waits for `completeSiteSelection`, in seconds. @default 600 */
  siteSelectionTtlSeconds?: number;
}

export interface ResolvedAtlassianOptions extends AtlassianOptions {
  endpoints: Required<AtlassianEndpointOverrides>;
  productScopes: Record<AtlassianProduct, string[]>;
  siteSelectionTtlSeconds: number;
}

const fn = lazySchema((z) => z.custom<(...args: never[]) => unknown>((value) => typeof value === "function", "must be a function"));
const scopeList = lazySchema((z) => z.array(scopeSchema()).min(1).max(100));

const optionsSchema = lazySchema((z) =>
  z.strictObject({
    clientId: z.string().min(1).max(256),
    clientSecret: z.string().min(1).max(4096),
    redirectUri: urlSchema(),
    identityResolver: fn().optional(),
    scopes: z.strictObject({ jira: scopeList().optional(), jsm: scopeList().optional(), confluence: scopeList().optional() }).optional(),
    // Not strict: `emulator.endpoints` carries more URLs than the provider uses.
    endpoints: z
      .object({ authorizeUrl: urlSchema().optional(), tokenUrl: urlSchema().optional(), accessibleResourcesUrl: urlSchema().optional(), apiBaseUrl: urlSchema().optional(), meUrl: urlSchema().optional() })
      .optional(),
    siteSelectionTtlSeconds: z.number().int().min(60).max(3600).optional(),
    ...oauthTuningSchema().shape,
    // Atlassian access tokens live 3600 s: a skew near that would refresh on every resolve.
    skewSeconds: z.number().int().nonnegative().max(3000).optional(),
  }),
);

/** Validates `atlassian()` options; throws `misconfigured` naming the field (`atlassian.clientId`, ...). */
export function resolveAtlassianOptions(options: AtlassianOptions): ResolvedAtlassianOptions {
  parseOptions(optionsSchema(), options, "atlassian");
  const endpoints = options.endpoints ?? {};
  const productScopes = {} as Record<AtlassianProduct, string[]>;
  for (const product of ATLASSIAN_PRODUCTS) {
    productScopes[product] = [...new Set([...(options.scopes?.[product] ?? ATLASSIAN_DEFAULT_SCOPES[product]), ...ATLASSIAN_ALWAYS_SCOPES])];
  }
  return {
    ...options,
    endpoints: {
      authorizeUrl: endpoints.authorizeUrl ?? "https://auth.atlassian.com/authorize",
      tokenUrl: endpoints.tokenUrl ?? "https://auth.atlassian.com/oauth/token",
      accessibleResourcesUrl: endpoints.accessibleResourcesUrl ?? "https://api.atlassian.com/oauth/token/accessible-resources",
      apiBaseUrl: (endpoints.apiBaseUrl ?? "https://api.atlassian.com").replace(/\/+$/, ""),
      meUrl: endpoints.meUrl ?? "https://api.atlassian.com/me",
    },
    productScopes,
    siteSelectionTtlSeconds: options.siteSelectionTtlSeconds ?? 600,
  };
}
