// The connections page: the account's integrations with their status, a disconnect button each, and a connect
// button per configured provider. Summaries only (listConnections never decrypts): no credential is in reach here.
import type { IntegrationSummary } from "@sdk/core";
import type { ConnectableProvider } from "../connectable-provider.js";
import { html } from "../html.js";
import { renderPage } from "../render-page.js";

export interface ConnectionsPageInput {
  account_id: string;
  connections: IntegrationSummary[];
  connectable: readonly ConnectableProvider[];
  /** Id of the connection just made, to confirm it. */
  connected?: string | undefined;
  /** A connection was just removed. */
  deleted?: boolean;
}

function labelOf(provider: string, connectable: readonly ConnectableProvider[]): string {
  return connectable.find((candidate) => candidate.id === provider)?.label ?? provider;
}

/** Where the connection points: the Atlassian site, the Slack workspace or the Sentry organization. */
export function describeTarget(connection: IntegrationSummary): string {
  const metadata = connection.metadata as Record<string, unknown>;
  const first = ["site_name", "team_name", "enterprise_name", "org_slug"].map((field) => metadata[field]).find((value) => typeof value === "string");
  const url = typeof metadata.site_url === "string" ? ` (${metadata.site_url})` : "";
  return typeof first === "string" ? `${first}${url}` : "";
}

export function renderConnectionsPage(input: ConnectionsPageInput): string {
  const justConnected = input.connections.find((connection) => connection.id === input.connected);
  const rows = input.connections.map(
    (connection) => html`<tr data-provider="${connection.provider}" data-status="${connection.status}">
<td>${labelOf(connection.provider, input.connectable)}</td>
<td>${describeTarget(connection)}</td>
<td><span class="status status-${connection.status}">${connection.status}</span></td>
<td>${connection.created_at}</td>
<td><form method="post" action="/connections/${encodeURIComponent(connection.id)}/delete"><button type="submit" class="secondary">Disconnect</button></form></td>
</tr>`,
  );
  // Forms, not links: starting an install is a same-origin POST (see install-routes.ts).
  const buttons = input.connectable.map(
    (provider) => html`<form method="post" action="/connect/${provider.id}" class="connect"><button type="submit">Connect ${provider.label}</button></form> `,
  );
  const body = html`<h1>Integrations</h1>
<p>Account <code>${input.account_id}</code></p>
${justConnected ? html`<p class="notice" id="connected">Connected ${labelOf(justConnected.provider, input.connectable)}${describeTarget(justConnected) ? ` to ${describeTarget(justConnected)}` : ""}.</p>` : ""}
${input.deleted ? html`<p class="notice" id="deleted">Connection removed.</p>` : ""}
${
  rows.length > 0
    ? html`<table id="connections"><thead><tr><th>Provider</th><th>Connected to</th><th>Status</th><th>Since</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p id="no-connections">No integrations yet.</p>`
}
<nav id="connect">${buttons}</nav>`;
  return renderPage("Integrations", body);
}
