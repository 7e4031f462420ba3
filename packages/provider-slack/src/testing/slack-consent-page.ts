// The HTML the Slack emulator shows a browser: the install consent page and the authorize error page. Stable ids and
// names (`#team`, `#user`, `#channel`, `#approve`, `#deny`, `#error[data-error]`) are the contract for headless tests.
// It renders only; which workspaces and scopes are valid is decided by the emulator.
import { escapeHtml } from "@sdk/oauth/testing";
import type { SlackEnterprise, SlackWorkspace } from "./slack-token-ledger.js";

export interface SlackChannel {
  /** `C…` */
  id: string;
  /** Without the leading `#`. */
  name: string;
}

export interface ConsentPageInput {
  appName: string;
  request: string;
  decisionPath: string;
  workspaces: SlackWorkspace[];
  enterprises: SlackEnterprise[];
  /** The workspace or enterprise id to pre-select (the authorize `team` parameter). */
  selected: string | undefined;
  defaultUser: string;
  botScopes: string[];
  userScopes: string[];
  /** Shown when `incoming-webhook` was requested: Slack asks where the webhook posts. */
  webhookChannels: SlackChannel[] | undefined;
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>\n${body}\n</body></html>`;

const scopeList = (id: string, heading: string, scopes: string[]) =>
  scopes.length === 0 ? "" : `<section id="${id}"><h2>${heading}</h2><ul>${scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join("")}</ul></section>`;

export function renderConsentPage(input: ConsentPageInput): string {
  const selected = input.selected ?? input.workspaces[0]?.id;
  const option = (value: string, label: string) => `<option value="${escapeHtml(value)}"${value === selected ? " selected" : ""}>${escapeHtml(label)}</option>`;
  const teams = [
    ...input.workspaces.map((workspace) => option(workspace.id, `${workspace.name} (${workspace.domain}.slack.com)`)),
    ...input.enterprises.map((enterprise) => option(enterprise.id, `${enterprise.name} (entire organization)`)),
  ];
  const channels = input.webhookChannels
    ? `<label for="channel">Post to</label> <select name="channel" id="channel">${input.webhookChannels.map((channel) => `<option value="${escapeHtml(channel.id)}">#${escapeHtml(channel.name)}</option>`).join("")}</select>`
    : "";
  return page(
    `Install ${input.appName}`,
    `<h1 id="title">${escapeHtml(input.appName)} is requesting permission to access a Slack workspace</h1>
<form method="post" action="${escapeHtml(input.decisionPath)}" id="consent">
<input type="hidden" name="request" value="${escapeHtml(input.request)}">
<p><label for="team">Install on</label> <select name="team" id="team">${teams.join("")}</select></p>
<p><label for="user">Signed in as</label> <input name="user" id="user" value="${escapeHtml(input.defaultUser)}"></p>
${scopeList("bot-scopes", "What the app can do as a bot", input.botScopes)}
${scopeList("user-scopes", "What the app can do on your behalf", input.userScopes)}
${channels}
<p><button type="submit" name="decision" value="approve" id="approve">Allow</button>
<button type="submit" name="decision" value="deny" id="deny">Cancel</button></p>
</form>`,
  );
}

/** Slack shows authorize errors on its own page: the redirect_uri may be the thing that is wrong. */
export function renderErrorPage(code: string, detail: string): string {
  return page(
    "Slack: something went wrong",
    `<h1>Something went wrong when authorizing this app.</h1>
<p id="error" data-error="${escapeHtml(code)}">${escapeHtml(code)}</p>
<p id="error-detail">${escapeHtml(detail)}</p>`,
  );
}

/** Reads what a browser would submit from a rendered consent page. */
export function readConsentPage(html: string): { request: string; selectedTeam: string | undefined; firstChannel: string | undefined } | undefined {
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  if (!request) return undefined;
  const teamSelect = /<select name="team"[^>]*>(.*?)<\/select>/s.exec(html)?.[1] ?? "";
  const selectedTeam = /<option value="([^"]+)" selected>/.exec(teamSelect)?.[1] ?? /<option value="([^"]+)"/.exec(teamSelect)?.[1];
  const channelSelect = /<select name="channel"[^>]*>(.*?)<\/select>/s.exec(html)?.[1];
  const firstChannel = channelSelect ? /<option value="([^"]+)"/.exec(channelSelect)?.[1] : undefined;
  return { request, selectedTeam, firstChannel };
}

/** The error code of an authorize error page, if `html` is one. */
export function readErrorPage(html: string): string | undefined {
  return /id="error" data-error="([^"]+)"/.exec(html)?.[1];
}
