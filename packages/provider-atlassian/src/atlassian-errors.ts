// The error codes this package adds to `SdkError` and the `details` each carries. Core knows none of them: the
// augmentation below types them for every program that imports @sdk/provider-atlassian.
import type { SdkErrorDetailsBase } from "@sdk/core";
import type { SelectableSite } from "./site-selection-store.js";

/** The codes only Atlassian installs raise (none is retryable as it is). */
export const ATLASSIAN_ERROR_CODES = ["atlassian_no_sites", "atlassian_site_selection_required", "site_not_in_selection", "site_selection_expired"] as const;

declare module "@sdk/core" {
  interface SdkErrorDetailsMap {
    /** The grant reaches no site that offers the product. */
    atlassian_no_sites: SdkErrorDetailsBase & { provider: string; sites_listed: number };
    /** Several sites: show `sites` and call `completeSiteSelection({ selection_id, cloud_id, browser_binding })`. */
    atlassian_site_selection_required: SdkErrorDetailsBase & { provider: string; selection_id: string; sites: SelectableSite[]; expires_at: string };
    /** The `cloud_id` given to `completeSiteSelection` was not offered. */
    site_not_in_selection: SdkErrorDetailsBase & { provider: string; field: string; cloud_ids: string[] };
    /** The selection is late or was already used. */
    site_selection_expired: SdkErrorDetailsBase & { provider: string };
  }
}
