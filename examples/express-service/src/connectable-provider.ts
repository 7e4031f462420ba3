// The providers a user can connect from the connections page, and the callback each one comes back to. The three
// Atlassian products share one OAuth app and therefore one redirect URI (`/callback/atlassian`); which product an
// Atlassian callback is for is remembered in a cookie next to the browser binding (see InstallCookies).

export type CallbackSlug = "atlassian" | "slack" | "sentry";

export interface ConnectableProvider {
  /** Provider id registered in createSDK. */
  id: string;
  label: string;
  /** Path segment of its redirect URI: `/callback/{callback}`. */
  callback: CallbackSlug;
}

export const ATLASSIAN_PRODUCTS: readonly ConnectableProvider[] = [
  { id: "jira", label: "Jira", callback: "atlassian" },
  { id: "jsm", label: "Jira Service Management", callback: "atlassian" },
  { id: "confluence", label: "Confluence", callback: "atlassian" },
];
export const SLACK: ConnectableProvider = { id: "slack", label: "Slack", callback: "slack" };
// Sentry copies the install URL's `?state=` into its redirect, next to installationId and orgSlug.
export const SENTRY: ConnectableProvider = { id: "sentry", label: "Sentry", callback: "sentry" };

export function callbackUrl(publicUrl: string, slug: CallbackSlug): string {
  return `${publicUrl}/callback/${slug}`;
}
