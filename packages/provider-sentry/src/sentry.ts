// `sentry()`: Sentry integration-platform installs ("Sentry Apps") on the OAuth engine. This file holds Sentry's
// endpoint facts and quirks only: external install with the signed state on `?state=` (Sentry copies it into its
// redirect), the installation check of `orgSlug`, a per-installation JSON token endpoint answering 201 camelCase,
// installs started on sentry.io as pending installs, `{ detail }` errors and installation webhooks.
// State, HTTP, retries, the refresh lock and token caching are the engine's and are not re-implemented here.
import { SdkError, type Integration, type ProviderDefinition, type Runtime } from "@sdk/core";
import { lazySchema, parseInput, parseOptions, zod, type InstallCallbackInput, type RuntimeFields } from "@sdk/core/provider-kit";
import { defineOAuthProvider, oauthTuningSchema, pickTuning, type ChainTokens, type OAuthContext, type OAuthTuning, type TokenFields } from "@sdk/oauth";
import type { z } from "zod";
import { handleSentryWebhook } from "./handle-sentry-webhook.js";
import { mapSentryError } from "./map-sentry-error.js";
import { parseSentryTokenResponse } from "./parse-sentry-token-response.js";
import { allowedHostSchema, allowedHosts, installationIdSchema, originOf, originSchema, sentryHostSchema, sentrySlugSchema } from "./sentry-hosts.js";

/** Sentry's installation token lifetime (`TOKEN_LIFE_IN_HOURS = 8`), used when an answer lacks `expiresAt`. */
const TOKEN_LIFETIME_SECONDS = 8 * 60 * 60;

/** Origins that replace `https://{host}` / `https://{apiHost}`, e.g. an emulator's (`sentryOptionsFor` in ./testing). */
export interface SentryEndpoints {
  /** Origin of the install page and the control-silo endpoints (authorizations, installation). @default `https://{host}` */
  baseUrl?: string;
  /** Origin of API calls: the runtime's `api_base_url` (paths start with `/api/0/`). @default `https://{installation host}` */
  apiBaseUrl?: string;
}

/** Options of `sentry()`; see the README table for defaults. */
export interface SentryOptions extends OAuthTuning {
  /** Refresh-ahead is off for Sentry: a refresh deletes the old access token at once (see `@sdk/oauth`, refresh-ahead). @default 0 */
  refreshAheadSeconds?: 0;
  /** Provider id in inputs, records and cache keys. @default "sentry" */
  id?: string;
  /** The Sentry App's slug: the install page is `https://{host}/sentry-apps/{slug}/external-install/`. */
  slug: string;
  /** The app's client id (Sentry app settings, "Credentials"). */
  clientId: string;
  /** Also the key Sentry signs webhooks with. */
  clientSecret: string;
  /**
   * Host of the install page and of the control-silo endpoints (token exchange, verify install). `sentry.io` serves
   * every SaaS region; a self-hosted Sentry is its own host.
   * @default "sentry.io"
   * @see https://docs.sentry.io/api/ (region hosts)
   */
  host?: string;
  /**
   * API host written into new installations (`metadata.host`), e.g. `de.sentry.io` for an app whose organizations
   * live in the EU region. A caller may set another allowed host on `integration.metadata.host` before createConnection.
   * @default host
   */
  apiHost?: string;
  /**
   * Mark the installation `installed` right after the code exchange (needed when "Verify Install" is on in the
   * app settings). The organization Sentry reports for the installation is checked against the redirect's `orgSlug`
   * either way: with this PUT, or else with `GET /api/0/sentry-app-installations/{id}/` (needs one of `org:read`,
   * `org:integrations`, `org:write`, `org:admin`; an app without them must turn this on).
   * @default false
   * @see https://docs.sentry.io/organization/integrations/integration-platform/public-integration/
   */
  verifyInstall?: boolean;
  /**
   * Installs started on sentry.io (its integration directory; its `installation` webhook with `action: "created"`):
   * the redirect carries no state of this service. `"reject"` keeps them `state_missing`. `"pending"` exchanges the
   * code, checks the organization and parks the grant for 10 minutes: `handleInstallCallback` throws
   * `install_confirmation_required` (`details.grant.org_slug`) and `handleWebhook` returns `pending_install`; a
   * signed-in user then confirms it for an account with `sdk.confirmPendingInstall`.
   * @default "reject"
   */
  providerStartedInstalls?: "reject" | "pending";
  /** Origin overrides for an emulator or a proxy. */
  endpoints?: SentryEndpoints;
  /** Fills `account_id` / `created_by` when `buildInstallUrl` gets only `user_id` (1.x). */
  identityResolver?: (userId: string) => Promise<{ account_id: string; created_by?: string }>;
}

/** What `sdk.resolveConnection(id)` returns for a Sentry installation. */
export interface SentryRuntime extends Runtime {
  /** Slug of the organization that installed the app. */
  org_slug: string;
  /** The installation UUID (also the record's natural key). */
  installation_id: string;
  /** The API host of this installation (`sentry.io`, `us.sentry.io`, `de.sentry.io` or self-hosted). */
  host: string;
  /** Origin of the Sentry web app and control-silo endpoints. */
  base_url: string;
  /** Origin `sdk.fetch` resolves against: `sdk.fetch(id, "/api/0/organizations/{org}/projects/")`. */
  api_base_url: string;
  /** The installation token (8 h). */
  access_token: string;
  /** The same installation token as `access_token`, named as in the org-token runtime. */
  token: string;
  /** Always "Bearer". */
  token_type: string;
  /** ISO 8601 expiry of `access_token` (Sentry's `expiresAt`). */
  expires_at: string;
  /** The scopes of the installation token, as Sentry's token response lists them (`scopes`). */
  scopes: string[];
  /** `Authorization: Bearer <token>`. */
  headers: { Authorization: string };
}

const optionsSchema = lazySchema((z) =>
  z.strictObject({
    id: z.string().regex(/^[a-z][a-z0-9_-]*$/, "must be lower-case letters, digits, '_' or '-'").max(64).optional(),
    slug: sentrySlugSchema(),
    clientId: z.string().min(1).max(1024),
    clientSecret: z.string().min(1).max(16_384),
    host: sentryHostSchema().optional(),
    apiHost: sentryHostSchema().optional(),
    verifyInstall: z.boolean().optional(),
    providerStartedInstalls: z.enum(["reject", "pending"]).optional(),
    endpoints: z.object({ baseUrl: originSchema().optional(), apiBaseUrl: originSchema().optional() }).optional(),
    identityResolver: z.custom<SentryOptions["identityResolver"]>((value) => typeof value === "function", "must be a function").optional(),
    ...oauthTuningSchema().shape,
    // Sentry deletes the old token row at a refresh (providers/sentry.md; token_exchange/refresher.py): callers served
    // the old token during a background refresh would get 401, so refresh-ahead stays off.
    refreshAheadSeconds: z.literal(0, "must be 0: Sentry revokes the old access token at a refresh, so refresh-ahead cannot serve it meanwhile").optional(),
  }),
);

/** The extra fields of Sentry's redirect, validated before any state or token work. */
const callbackFieldsSchema = lazySchema((z) =>
  z
    .object({
      installationId: installationIdSchema(),
      orgSlug: sentrySlugSchema(),
    })
    .loose(),
);

const installationAnswerSchema = lazySchema((z) => z.object({ organization: z.object({ slug: z.string() }) }).loose());

/** What `sentry()` returns: a provider for `createSDK({ providers })`, typed with its id and runtime. */
export type SentryProvider<Id extends string = "sentry"> = ProviderDefinition<Id, SentryRuntime>;

/**
 * Sentry public integrations ("Sentry Apps"): external install, installation tokens (8 h) refreshed with rotation,
 * verify install, uninstall webhooks. Org auth tokens (`sntrys_…`) are `sentryOrgToken()`.
 * @see https://docs.sentry.io/organization/integrations/integration-platform/public-integration/
 */
export function sentry<const Id extends string = "sentry">(options: SentryOptions & { id?: Id }): SentryProvider<NoInfer<Id>> {
  const parsed = parseOptions(optionsSchema(), options, "sentry");
  const id = parsed.id ?? "sentry";
  const host = parsed.host ?? "sentry.io";
  const apiHost = parsed.apiHost ?? host;
  const baseUrl = originOf(parsed.endpoints?.baseUrl, host);
  const apiOrigin = parsed.endpoints?.apiBaseUrl;
  const installUrl = `${baseUrl}/sentry-apps/${parsed.slug}/external-install/`;
  const metadataSchema = zod()
    .object({ installation_id: installationIdSchema(), org_slug: sentrySlugSchema(), host: allowedHostSchema(allowedHosts([host, apiHost])).optional() })
    .loose();

  const authorizationsUrl = (target: { input?: InstallCallbackInput; integration?: Integration }): string => {
    const raw = target.input ? target.input.installationId : target.integration?.metadata.installation_id;
    const field = target.input ? "handleInstallCallback.installationId" : "integration.metadata.installation_id";
    const installationId = parseInput(installationIdSchema(), raw, field).toLowerCase();
    return `${baseUrl}/api/0/sentry-app-installations/${installationId}/authorizations/`;
  };

  /**
   * The organization Sentry reports for the installation the token belongs to: the verify-install PUT when
   * `verifyInstall` is on, else the installation GET. The redirect's `orgSlug` is only a claim until this agrees.
   */
  const reportedOrganization = async (context: OAuthContext, installationId: string, token: string): Promise<string> => {
    const step = parsed.verifyInstall ? "verify_install" : "installation_check";
    let answer;
    try {
      answer = await context.engine.http.send(`${baseUrl}/api/0/sentry-app-installations/${installationId}/`, {
        method: parsed.verifyInstall ? "PUT" : "GET",
        headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(parsed.verifyInstall ? { "content-type": "application/json" } : {}) },
        ...(parsed.verifyInstall ? { body: JSON.stringify({ status: "installed" }) } : {}),
      });
    } catch (error) {
      if (!SdkError.is(error)) throw error;
      const what = parsed.verifyInstall ? `marking the installation "installed" (verifyInstall)` : "reading the installation to check its organization (an app without org:read needs verifyInstall: true)";
      throw new SdkError(error.code, `${id}: ${what} failed: ${error.message}`, { details: { ...error.details, step }, retryable: error.retryable, cause: error });
    }
    const reported = installationAnswerSchema().safeParse(answer.body);
    if (!reported.success) {
      throw new SdkError("provider_response_invalid", `"organization.slug" in the ${id} installation answer is missing: the installation's organization cannot be checked.`, {
        details: { provider: id, step },
      });
    }
    return reported.data.organization.slug;
  };

  /** Checks the redirect's fields against the installation the exchanged token belongs to; returns the metadata. */
  const installationMetadata = async (context: OAuthContext, tokens: Record<string, TokenFields>, input: InstallCallbackInput) => {
    const fields = parseInput(callbackFieldsSchema(), input, "handleInstallCallback");
    const installationId = fields.installationId.toLowerCase();
    // The code was issued for `installationId` (Sentry refuses it for any other: "Forbidden grant"), so the token is
    // that installation's; its organization must be the one the redirect names.
    if ((await reportedOrganization(context, installationId, tokens[""]!.access_token)) !== fields.orgSlug) {
      throw new SdkError("validation_failed", `"handleInstallCallback.orgSlug" is invalid: it is not the organization of this installation.`, {
        details: { field: "handleInstallCallback.orgSlug" },
      });
    }
    return { installation_id: installationId, org_slug: fields.orgSlug, host: apiHost };
  };

  const runtime = (integration: Integration, tokens: ChainTokens): Omit<SentryRuntime, keyof Runtime> & RuntimeFields => {
    const token = tokens[""];
    if (!token) throw new SdkError("reauth_required", `The ${id} integration holds no token.`, { details: { provider: id, integration_id: integration.id } });
    const metadata = parseInput(metadataSchema, integration.metadata, "integration.metadata");
    const installationHost = metadata.host ?? apiHost;
    return {
      org_slug: metadata.org_slug,
      installation_id: metadata.installation_id,
      host: installationHost,
      base_url: baseUrl,
      api_base_url: originOf(apiOrigin, installationHost),
      access_token: token.access_token,
      token: token.access_token,
      token_type: token.token_type,
      expires_at: new Date(token.expires_at).toISOString(),
      scopes: token.scopes,
      headers: { Authorization: `Bearer ${token.access_token}` },
    };
  };

  const provider = defineOAuthProvider({
    id,
    client: {
      clientId: parsed.clientId,
      clientSecret: parsed.clientSecret,
      // Sentry takes the redirect URL from the app's settings and never from a request: this one is never sent.
      redirectUri: installUrl,
      pkce: false,
      clientAuth: "client_secret_post",
      tokenRequestFormat: "json",
      ...(parsed.identityResolver ? { identityResolver: parsed.identityResolver } : {}),
    },
    endpoints: { authorizeUrl: installUrl, tokenUrl: authorizationsUrl },
    tuning: { ...pickTuning(parsed), refreshReuseWindow: false, accessTokenOutlivesRefresh: false, defaultExpiresInSeconds: TOKEN_LIFETIME_SECONDS },
    hooks: {
      // Sentry's redirect fields (`installationId`, `orgSlug`) are checked before the engine's state checks and exchange.
      validateCallback: (_context, input) => {
        if (!input.error) parseInput(callbackFieldsSchema(), input, "handleInstallCallback");
      },
      // `Sentry-Hook-Signature`, the replay window (`Sentry-Hook-Timestamp`, `Request-ID`) and `installation` webhooks
      // (`deleted` -> the integration is `revoked`; `created` with `providerStartedInstalls: "pending"` -> a pending install).
      handleWebhook: (context, input) =>
        handleSentryWebhook(context, input, {
          provider: id,
          clientSecret: parsed.clientSecret,
          invalidate: (_context, integration) => context.engine.invalidate(integration),
          ...(parsed.providerStartedInstalls === "pending" ? { parkPendingInstall: (_context: unknown, install: InstallCallbackInput) => context.engine.parkPendingInstall(install) } : {}),
        }),
      // Sentry's external-install page copies `?state=` into its redirect (sentryAppExternalInstallation/index.tsx).
      buildAuthorizeUrl: ({ state }) => `${installUrl}?${new URLSearchParams({ state }).toString()}`,
      exchangeParams: (_input, base) => ({ grant_type: "authorization_code", code: base.code! }),
      parseTokenResponse: (body) => parseSentryTokenResponse(body, id),
      mapError: (answer) => mapSentryError(answer, id),
      buildIntegration: async (context, args) => ({ ...args.draft, metadata: { ...args.draft.metadata, ...(await installationMetadata(context, args.tokens, args.input)) } }),
      ...(parsed.providerStartedInstalls === "pending"
        ? {
            pendingInstall: {
              describe: async (context: OAuthContext, args: { tokens: Record<string, TokenFields>; input: InstallCallbackInput }) => {
                const metadata = await installationMetadata(context, args.tokens, args.input);
                return { metadata, grant: { org_slug: metadata.org_slug, installation_id: metadata.installation_id } };
              },
            },
          }
        : {}),
      parseMetadata: (metadata, field) => parseInput(metadataSchema, metadata, field),
      naturalKey: (draft) => (typeof draft.metadata.installation_id === "string" ? draft.metadata.installation_id.toLowerCase() : null),
      runtime,
    },
  });
  return provider as unknown as SentryProvider<NoInfer<Id>>;
}
