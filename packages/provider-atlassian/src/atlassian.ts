// `atlassian()`: one OAuth 2.0 (3LO) app registered as three providers (jira, jsm, confluence) of the `atlassian`
// family. Endpoint facts and quirks only: the engine (@sdk/oauth) owns HTTP, state, the refresh protocol, the family
// lock and sibling sync; this file says how Atlassian differs (audience, no PKCE, JSON client_secret_post, scope
// union, accessible-resources and site selection, gateway URLs).
// Types this file's error codes (SdkErrorDetailsMap augmentation).
import type {} from "./atlassian-errors.js";
import { SdkError, type IntegrationDraft } from "@sdk/core";
import { parseInput, urlSchema } from "@sdk/core/provider-kit";
import { defineOAuthProvider, pickTuning, type ErrorMapper, type OAuthContext, type OAuthProvider, type StatePayload } from "@sdk/oauth";
import { z } from "zod";
import { cloudIdSchema, fetchAccessibleResources, sitesServing, type AccessibleSite } from "./accessible-resources.js";
import { ATLASSIAN_FAMILY, ATLASSIAN_PRODUCTS, resolveAtlassianOptions, type AtlassianOptions, type AtlassianProduct, type ResolvedAtlassianOptions } from "./atlassian-options.js";
import { atlassianAccountIdSchema, grantKeyOf, grantLockId, IDENTITY_FIELD, listGrantFamily } from "./atlassian-identity.js";
import { atlassianRuntime, type AtlassianRuntime } from "./atlassian-runtime.js";
import { guardGrantOwner, identifyInstall, installSiblings, learnIdentity } from "./grant-owner.js";
import { recoverGrantSiblings } from "./recover-grant-siblings.js";
import { SiteSelectionStore } from "./site-selection-store.js";

/** At most this many sibling ids travel in the signed state (it must stay under 4 KiB). */
const MAX_SIBLINGS_IN_STATE = 20;

const metadataSchema = z.looseObject({
  cloud_id: cloudIdSchema,
  site_url: urlSchema,
  site_name: z.string().max(512),
  [IDENTITY_FIELD]: atlassianAccountIdSchema.optional(),
});

/**
 * Atlassian answers a wrong client_id / client_secret with 401 `{"error":"access_denied"}` (Auth0 underneath; not
 * documented), which the RFC mapping would call a plain provider error.
 */
function atlassianErrors(product: AtlassianProduct): ErrorMapper {
  return (answer) => {
    const error = (answer.body as { error?: unknown } | undefined)?.error;
    if (answer.status === 401 && error === "access_denied") {
      return new SdkError("invalid_client", `Atlassian refused the client credentials (HTTP 401, access_denied): check clientId / clientSecret of the ${product} app.`, {
        details: { provider: product, status: 401, provider_error: "access_denied" },
      });
    }
    return undefined;
  };
}

/**
 * A dead refresh token, in whichever words Atlassian picks: `403 invalid_grant "Unknown or invalid refresh token."`
 * (mapped by the RFC rules) or `unauthorized_client "refresh_token is invalid"` at 400 or 403 (ParabolInc/parabol
 * issue #11849, 23.5k times in 15 days). Both mean "consent again", not "wrong client secret". Refresh grant only.
 */
function atlassianRefreshErrors(product: AtlassianProduct): ErrorMapper {
  return (answer) => {
    const body = answer.body as { error?: unknown; error_description?: unknown } | undefined;
    const error = typeof body?.error === "string" ? body.error.slice(0, 64) : undefined;
    const description = typeof body?.error_description === "string" ? body.error_description : "";
    if (error !== "unauthorized_client" && !/refresh[_ ]token is invalid|invalid refresh[_ ]token/i.test(description)) return undefined;
    return new SdkError("reauth_required", `${product}: Atlassian no longer accepts this grant's refresh token (HTTP ${answer.status}${error ? `, ${error}` : ""}): the user must connect again.`, {
      details: { provider: product, status: answer.status, provider_error: error ?? "invalid_refresh_token" },
    });
  };
}

/** The gateway's 401 for a path outside the granted scopes ("Unauthorized; scope does not match"): a refresh cannot cure it. */
async function scopeMismatch(response: Response): Promise<boolean> {
  if (response.status !== 401) {
    void response.body?.cancel().catch(() => undefined);
    return false;
  }
  return /scope does not match/i.test((await response.text()).slice(0, 4096));
}

function withSite(draft: IntegrationDraft, site: AccessibleSite): IntegrationDraft {
  return { ...draft, metadata: { ...draft.metadata, cloud_id: site.cloud_id, site_url: site.url, site_name: site.name } };
}

function defineProduct(product: AtlassianProduct, options: ResolvedAtlassianOptions): AtlassianProvider {
  const selections = new SiteSelectionStore(product, options.siteSelectionTtlSeconds);
  const { endpoints } = options;

  const chooseSite = async (context: OAuthContext, draft: IntegrationDraft, accessToken: string, state: StatePayload): Promise<IntegrationDraft> => {
    const listed = await fetchAccessibleResources(context.engine.http, { provider: product, url: endpoints.accessibleResourcesUrl, accessToken });
    const sites = sitesServing(listed, product, options.productScopes[product]);
    if (sites.length === 0) {
      throw new SdkError("atlassian_no_sites", `The Atlassian account granted no site that offers ${product}: the user must pick a site on Atlassian's consent page (or be given access to one).`, {
        details: { provider: product, sites_listed: listed.length },
      });
    }
    if (sites.length === 1) return withSite(draft, sites[0]!);
    const preselected = typeof state.ctx.cloud_id === "string" ? sites.find((site) => site.cloud_id === state.ctx.cloud_id) : undefined;
    if (preselected) return withSite(draft, preselected);
    const parked = await selections.park(context, { state, draft, sites });
    throw new SdkError(
      "atlassian_site_selection_required",
      `The grant reaches ${sites.length} ${product} sites: show details.sites and call completeSiteSelection({ selection_id, cloud_id, browser_binding }) before details.expires_at.`,
      { details: { provider: product, selection_id: parked.selection_id, sites: parked.sites, expires_at: parked.expires_at } },
    );
  };

  const provider = defineOAuthProvider({
    id: product,
    family: ATLASSIAN_FAMILY,
    client: {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      redirectUri: options.redirectUri,
      scopes: options.productScopes[product],
      // Atlassian Cloud 3LO does not support PKCE; the signed, browser-bound state protects the callback.
      pkce: false,
      clientAuth: "client_secret_post",
      tokenRequestFormat: "json",
      authorizeParams: { audience: "api.atlassian.com", prompt: "consent" },
      ...(options.identityResolver ? { identityResolver: options.identityResolver } : {}),
    },
    endpoints: { authorizeUrl: endpoints.authorizeUrl, tokenUrl: endpoints.tokenUrl, apiBaseUrl: endpoints.apiBaseUrl },
    tuning: {
      ...pickTuning(options),
      defaultExpiresInSeconds: 3600,
      // Atlassian keeps a rotated-out refresh token usable for 10 minutes, so a refresh may be retried after a timeout.
      refreshReuseWindow: true,
      // Refresh tokens die after 90 days without a refresh (providers/atlassian.md A2, community t/54172): sdk.refreshDue
      // refreshes a grant idle for 30 days, leaving 60 days for missed sweeps and for unrelated writes that move
      // `updated_at` (the idle clock) without using the grant.
      refreshTokenIdleMs: 30 * 24 * 3600 * 1000,
    },
    hooks: {
      mapError: atlassianErrors(product),
      classifyRefreshError: atlassianRefreshErrors(product),
      refreshCannotCure: scopeMismatch,
      async installContext(context, input) {
        const cloudId = input.cloud_id === undefined ? undefined : parseInput(cloudIdSchema, input.cloud_id, "buildInstallUrl.cloud_id");
        // One grant per Atlassian user and app: a new consent must cover what that user's siblings already hold.
        const siblings = await installSiblings(context, input.account_id, input.created_by ?? input.user_id);
        const scopes = [...new Set(siblings.flatMap((sibling) => sibling.scopes))];
        return {
          scopes,
          ctx: {
            siblings: siblings.slice(0, MAX_SIBLINGS_IN_STATE).map((sibling) => sibling.id),
            ...(cloudId !== undefined ? { cloud_id: cloudId } : {}),
          },
        };
      },
      async buildIntegration(context, { draft, tokens, state }) {
        const accessToken = tokens[""]?.access_token;
        if (!accessToken) throw new SdkError("provider_response_invalid", `"access_token" in ${product} token response is missing.`, { details: { provider: product, field: "access_token" } });
        const identity = await identifyInstall(context.engine.http, { provider: product, meUrl: endpoints.meUrl, accessToken, grantedScopes: tokens[""]?.scopes });
        return chooseSite(context, { ...draft, metadata: { ...draft.metadata, [IDENTITY_FIELD]: identity } }, accessToken, state);
      },
      completeSiteSelection: async (context, input) => {
        const { draft, site } = await selections.take(context, input);
        return { integration: withSite(draft, site) };
      },
      parseMetadata: (metadata, field) => parseInput(metadataSchema, metadata, field),
      naturalKey: ({ metadata }) => (typeof metadata.cloud_id === "string" ? metadata.cloud_id : null),
      runtime: (integration, tokens) => atlassianRuntime(endpoints.apiBaseUrl, product, integration, tokens),
      grantSiblings: listGrantFamily,
      grantLockId,
      grantKey: grantKeyOf,
      beforeSave: (context, draft) => guardGrantOwner(context, draft, { meUrl: endpoints.meUrl }),
      afterRefresh: (context, integration, token) => learnIdentity(context, integration, { client: context.engine.http, meUrl: endpoints.meUrl, accessToken: token.access_token }),
      async afterSave(context, saved) {
        await recoverGrantSiblings(context, { saved, accessibleResourcesUrl: endpoints.accessibleResourcesUrl });
      },
    },
  });
  return provider as unknown as AtlassianProvider;
}

/** One Atlassian product on the OAuth engine, typed with its id and runtime for `createSDK`. */
export type AtlassianProvider<Id extends AtlassianProduct = AtlassianProduct> = OAuthProvider<Id, AtlassianRuntime & { provider: Id }>;

/**
 * Registers Jira, Jira Service Management and Confluence on one Atlassian OAuth 2.0 (3LO) app:
 * `createSDK({ providers: [atlassian({ clientId, clientSecret, redirectUri })] })`.
 * @see https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/
 */
export function atlassian(options: AtlassianOptions): [jira: AtlassianProvider<"jira">, jsm: AtlassianProvider<"jsm">, confluence: AtlassianProvider<"confluence">] {
  const resolved = resolveAtlassianOptions(options);
  const [jira, jsm, confluence] = ATLASSIAN_PRODUCTS.map((product) => defineProduct(product, resolved));
  return [jira as AtlassianProvider<"jira">, jsm as AtlassianProvider<"jsm">, confluence as AtlassianProvider<"confluence">];
}
