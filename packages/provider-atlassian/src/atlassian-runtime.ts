// The runtime shape every Atlassian integration resolves to: ids, the site, the gateway base URL of the product
// (`/ex/jira/{cloud_id}` for Jira and JSM, `/ex/confluence/{cloud_id}` for Confluence) and a fresh access token.
import { SdkError, type Integration, type Runtime } from "@sdk/core";
import { type RuntimeFields } from "@sdk/core/provider-kit";
import type { ChainTokens } from "@sdk/oauth";
import type { AtlassianProduct } from "./atlassian-options.js";

/** The provider-specific part of the runtime (what the engine's `runtime` hook returns). */
export interface AtlassianRuntimeFields extends RuntimeFields {
  cloud_id: string;
  site_url: string;
  site_name: string;
  /** `https://api.atlassian.com/ex/jira/{cloud_id}` (Jira, JSM) or `https://api.atlassian.com/ex/confluence/{cloud_id}`. */
  api_base_url: string;
  access_token: string;
  token_type: string;
  /** ISO 8601. */
  expires_at: string;
  scopes: string[];
  /** `{ Authorization: "Bearer <access_token>" }` */
  headers: Record<string, string>;
}

/** What `sdk.resolveConnection<AtlassianRuntime>(id)` returns for a jira, jsm or confluence integration. */
export interface AtlassianRuntime extends Runtime, AtlassianRuntimeFields {
  provider: AtlassianProduct;
  headers: Record<string, string>;
  api_base_url: string;
}

/** The gateway base of a product on a site. */
export function productBaseUrl(apiBaseUrl: string, product: AtlassianProduct, cloudId: string): string {
  const gateway = product === "confluence" ? "confluence" : "jira";
  return `${apiBaseUrl}/ex/${gateway}/${encodeURIComponent(cloudId)}`;
}

export function atlassianRuntime(apiBaseUrl: string, product: AtlassianProduct, integration: Integration, tokens: ChainTokens): AtlassianRuntimeFields {
  const cloudId = integration.metadata.cloud_id;
  if (typeof cloudId !== "string" || cloudId === "") {
    throw new SdkError("validation_failed", `Integration "${integration.id}" has no "metadata.cloud_id": connect ${product} again to pick a site.`, {
      details: { field: "integration.metadata.cloud_id", integration_id: integration.id },
    });
  }
  const token = tokens[""];
  if (!token) throw new SdkError("reauth_required", `The ${product} integration holds no token.`, { details: { provider: product, integration_id: integration.id } });
  return {
    cloud_id: cloudId,
    site_url: typeof integration.metadata.site_url === "string" ? integration.metadata.site_url : "",
    site_name: typeof integration.metadata.site_name === "string" ? integration.metadata.site_name : "",
    api_base_url: productBaseUrl(apiBaseUrl, product, cloudId),
    access_token: token.access_token,
    token_type: token.token_type,
    expires_at: new Date(token.expires_at).toISOString(),
    scopes: token.scopes,
    headers: { Authorization: `Bearer ${token.access_token}` },
  };
}
