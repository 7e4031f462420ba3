// Which Atlassian products a scope belongs to, so the emulator can show the right sites on the consent page and list
// per-site scopes in accessible-resources. A heuristic over scope names (classic and granular), not a scope registry.
import type { AtlassianProduct } from "../atlassian-options.js";

export type { AtlassianProduct };

/**
 * Products a scope applies to; `[]` for product-less scopes (`offline_access`, `read:me`).
 * Jira platform scopes also serve JSM sites, as the accessible-resources examples show `write:jira-work` on a JSM site.
 */
export function scopeProducts(scope: string): AtlassianProduct[] {
  if (scope.includes("confluence")) return ["confluence"];
  if (/servicedesk|servicemanagement|service-management/.test(scope)) return ["jsm"];
  if (scope.includes("jira")) return ["jira", "jsm"];
  return [];
}

/** The scopes among `scopes` that apply to a site offering `products`. */
export function scopesForProducts(scopes: readonly string[], products: readonly AtlassianProduct[]): string[] {
  return scopes.filter((scope) => scopeProducts(scope).some((product) => products.includes(product)));
}
