// The emulator's consent page and its reader. Plain HTML with stable ids and names, because headless-browser tests
// click through it and the programmatic `consent()` helper reads it back; it holds no grant logic.
import { escapeHtml } from "@sdk/oauth/testing";

export interface ConsentPageSite {
  id: string;
  name: string;
  url: string;
}

export interface ConsentPageInput {
  /** Opaque id of the pending authorization, posted back in the hidden `request` field. */
  request: string;
  clientId: string;
  scopes: string[];
  /** Sites the app may be granted on, one checkbox each (checked). */
  sites: ConsentPageSite[];
  defaultUser: string;
}

export function renderConsentPage(input: ConsentPageInput): string {
  const scopes = input.scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join("");
  const sites = input.sites
    .map(
      (site, index) =>
        `<li><label><input type="checkbox" id="site-${index}" name="site" value="${escapeHtml(site.id)}" checked> ${escapeHtml(site.name)} (${escapeHtml(site.url)})</label></li>`,
    )
    .join("\n");
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Authorize ${escapeHtml(input.clientId)} - Atlassian emulator</title></head>
<body>
<h1>${escapeHtml(input.clientId)} is requesting access to your Atlassian account</h1>
<ul id="scopes">${scopes}</ul>
<form id="consent" method="post" action="/authorize/decision">
<input type="hidden" name="request" value="${escapeHtml(input.request)}">
<p><label for="user">Account</label> <input id="user" name="user" value="${escapeHtml(input.defaultUser)}"></p>
<fieldset id="sites"><legend>Use app on</legend>
<ul>
${sites || '<li id="no-sites">No site offers the requested products.</li>'}
</ul>
</fieldset>
<button type="submit" id="approve" name="decision" value="approve">Accept</button>
<button type="submit" id="deny" name="decision" value="deny">Cancel</button>
</form>
</body></html>`;
}

/** Reads back what `renderConsentPage` wrote: the pending request id and the site ids offered. */
export function readConsentPage(html: string): { request: string; sites: string[] } | undefined {
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  if (!request) return undefined;
  const sites = [...html.matchAll(/name="site" value="([^"]+)"/g)].map((found) => found[1]!);
  return { request, sites };
}

/**
 * The page id.atlassian.com shows for an authorize error it cannot send back to the app: the OAuth error name and its
 * description come on the query (`/error?error=unauthorized_client&error_description=...`, humanlayer/humanlayer#1068),
 * and the page shows them. `#error[data-error]` is the machine-readable name, as on the Slack emulator's page.
 */
export function renderErrorPage(code: string, description: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Something went wrong - Atlassian emulator</title></head>
<body>
<h1>Something went wrong</h1>
<p id="error" data-error="${escapeHtml(code)}">${escapeHtml(code)}</p>
<p id="error-detail">${escapeHtml(description)}</p>
</body></html>`;
}
