// The confirmation page of an install the service did not start (`install_confirmation_required`): it names what was
// granted and the account it would be connected to, and only its same-origin POST creates the connection.
import type { PendingInstall } from "@sdk/core";
import { html } from "../html.js";
import { renderPage } from "../render-page.js";

export interface PendingInstallPageInput {
  providerLabel: string;
  account_id: string;
  pending: PendingInstall;
  /** Where the form posts. */
  action: string;
}

/** What the grant is, in words: "organization acme" (Sentry), "workspace T123" (Slack), … */
function describeGrant(grant: Record<string, string>): string {
  if (grant.org_slug) return `organization ${grant.org_slug}`;
  if (grant.enterprise_name || grant.enterprise_id) return `organization ${grant.enterprise_name ?? grant.enterprise_id}`;
  if (grant.team_name || grant.team_id) return `workspace ${grant.team_name ?? grant.team_id}`;
  return Object.entries(grant).map(([name, value]) => `${name} ${value}`).join(", ");
}

export function renderPendingInstallPage(input: PendingInstallPageInput): string {
  const what = describeGrant(input.pending.grant);
  const body = html`<h1 id="pending-title">Connect ${input.providerLabel} ${what} to your account?</h1>
<p>This install was started on ${input.providerLabel}, not from this service. Connect it to account
<code id="pending-account">${input.account_id}</code> only if you started it yourself.</p>
<form method="post" action="${input.action}" id="pending-install">
<input type="hidden" name="pending_install_id" value="${input.pending.pending_install_id}">
<button type="submit" id="confirm-install">Connect ${what}</button>
<a class="button secondary" href="/connections" id="cancel-install">Cancel</a>
</form>
<p><small>This offer expires at ${input.pending.expires_at}.</small></p>`;
  return renderPage(`Connect ${input.providerLabel}?`, body);
}
