// The Atlassian site picker, shown when one consent granted several sites (`atlassian_site_selection_required`).
// Its form posts the selection id and the chosen cloud id; the binding travels in the install cookie, not the form.
import { html } from "../html.js";
import { renderPage } from "../render-page.js";

export interface PickerSite {
  cloud_id: string;
  name: string;
  url: string;
}

export interface SitePickerPageInput {
  productLabel: string;
  selection_id: string;
  sites: PickerSite[];
  expires_at: string;
  /** Where the form posts. */
  action: string;
}

export function renderSitePickerPage(input: SitePickerPageInput): string {
  const options = input.sites.map(
    (site, index) =>
      html`<li><label><input type="radio" name="cloud_id" id="site-${index}" value="${site.cloud_id}" ${index === 0 ? html`checked` : ""} required> <strong>${site.name}</strong> ${site.url}</label></li>`,
  );
  const body = html`<h1>Choose a site for ${input.productLabel}</h1>
<p>You granted access to ${input.sites.length} Atlassian sites. Which one should this connection use?</p>
<form method="post" action="${input.action}" id="site-picker">
<input type="hidden" name="selection_id" value="${input.selection_id}">
<ul>${options}</ul>
<button type="submit" id="choose-site">Use this site</button>
</form>
<p><small>This choice expires at ${input.expires_at}.</small> <a href="/connections">Cancel</a></p>`;
  return renderPage("Choose a site", body);
}
