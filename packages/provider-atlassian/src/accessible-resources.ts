// accessible-resources: which Atlassian sites a token reaches. Parses the body as unknown with zod, merges duplicate
// entries of one site (a site may be listed once per product), and keeps the sites that serve the product being
// installed. It never chooses a site among several: that is the site selection contract's job.
import { lazySchema, urlSchema } from "@sdk/core/provider-kit";
import { invalidResponse, type TokenClient } from "@sdk/oauth";
import type { z } from "zod";
import type { AtlassianProduct } from "./atlassian-options.js";

/** One site the grant reaches. */
export interface AccessibleSite {
  cloud_id: string;
  name: string;
  url: string;
  avatar_url: string | null;
  /** Scopes accessible-resources lists for the site (merged over duplicate entries); null when no entry lists any. */
  scopes: string[] | null;
}

/** A cloud id as it appears in gateway paths: letters, digits, `.`, `_`, `-` (Atlassian's are UUIDs). */
export const cloudIdSchema = lazySchema((z) => z.string().min(1).max(128).regex(/^[A-Za-z0-9._-]+$/, "must be an Atlassian cloud id"));

const resourcesSchema = lazySchema((z) =>
  z
    .array(
      z.looseObject({
        id: cloudIdSchema(),
        url: urlSchema(),
        name: z.string().max(512),
        scopes: z.array(z.string().max(512)).max(500).optional(),
        avatarUrl: z.string().max(2048).nullable().optional(),
      }),
    )
    .max(1000),
);

/**
 * Which scope names serve a product. Jira platform scopes also serve JSM sites (JSM runs on Jira), so the JSM test
 * asks for a service-management scope. Granular scopes (`read:issue:jira`) match too.
 */
const PRODUCT_SCOPE: Record<AtlassianProduct, RegExp> = {
  jira: /jira/,
  jsm: /servicedesk|servicemanagement|service-management/,
  confluence: /confluence/,
};

/**
 * The sites that serve `product`: one of their listed scopes belongs to the product. A site listed without `scopes`
 * is kept, since the listing did not say (the docs show `scopes` on every entry; UNSURE whether always). When the
 * product's configured scopes name no scope of the product (a custom `scopes` override), nothing is filtered out.
 */
export function sitesServing(sites: AccessibleSite[], product: AtlassianProduct, productScopes: readonly string[]): AccessibleSite[] {
  const pattern = PRODUCT_SCOPE[product];
  if (!productScopes.some((scope) => pattern.test(scope))) return sites;
  return sites.filter((site) => site.scopes === null || site.scopes.some((scope) => pattern.test(scope)));
}

/** Parses an accessible-resources body: one entry per cloud id (scopes merged), in listing order. */
export function parseAccessibleResources(provider: string, body: unknown): AccessibleSite[] {
  const result = resourcesSchema().safeParse(body);
  if (!result.success) throw invalidResponse(provider, result.error.issues[0], "accessible-resources response");
  const sites = new Map<string, AccessibleSite>();
  for (const entry of result.data) {
    const known = sites.get(entry.id);
    if (known) {
      if (entry.scopes) known.scopes = [...new Set([...(known.scopes ?? []), ...entry.scopes])];
      known.avatar_url ??= entry.avatarUrl ?? null;
      continue;
    }
    sites.set(entry.id, { cloud_id: entry.id, name: entry.name, url: entry.url, avatar_url: entry.avatarUrl ?? null, scopes: entry.scopes ? [...new Set(entry.scopes)] : null });
  }
  return [...sites.values()];
}

/** GETs accessible-resources with the access token (deadline, retries and error mapping of the engine's client). */
export async function fetchAccessibleResources(
  client: TokenClient,
  args: { provider: string; url: string; accessToken: string },
): Promise<AccessibleSite[]> {
  const answer = await client.send(args.url, { method: "GET", headers: { accept: "application/json", authorization: `Bearer ${args.accessToken}` } });
  return parseAccessibleResources(args.provider, answer.body);
}
