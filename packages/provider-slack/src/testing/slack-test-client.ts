// What the emulator's own tests use to talk to it over real HTTP (global fetch): authorize URLs, oauth.v2.access
// calls, a full install, Web API calls. Test-only: testing.ts does not export it, and it must not assert anything.
import type { SlackEmulator } from "./start-slack-emulator.js";

export const CALLBACK = "http://127.0.0.1:9/slack/oauth";

export interface SlackAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function answerOf(response: Response): Promise<SlackAnswer> {
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

export function slackTestClient(emulator: SlackEmulator) {
  const authorizeUrl = (params: Record<string, string> = {}) => {
    const url = new URL(emulator.endpoints.authorizeUrl);
    for (const [key, value] of Object.entries({ client_id: emulator.clientId, scope: "chat:write", redirect_uri: CALLBACK, state: "s-1", ...params })) {
      url.searchParams.set(key, value);
    }
    return url.toString();
  };

  /** oauth.v2.access with body credentials by default; `basic` moves them into HTTP Basic, `json` sends JSON. */
  const access = async (fields: Record<string, string>, how: { basic?: boolean; json?: boolean; credentials?: boolean } = {}) => {
    const credentials: Record<string, string> = how.credentials === false ? {} : { client_id: emulator.clientId, client_secret: emulator.clientSecret };
    const body = how.basic ? fields : { ...credentials, ...fields };
    const headers: Record<string, string> = { "content-type": how.json ? "application/json" : "application/x-www-form-urlencoded" };
    if (how.basic) headers.authorization = `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString("base64")}`;
    const response = await fetch(emulator.endpoints.tokenUrl, { method: "POST", headers, body: how.json ? JSON.stringify(body) : new URLSearchParams(body) });
    return answerOf(response);
  };

  /** Approves an install and returns the callback's `code`. */
  const code = async (params: Record<string, string> = {}, decision: Parameters<SlackEmulator["consent"]>[1] = {}) => {
    const location = new URL(await emulator.consent(authorizeUrl(params), decision));
    const value = location.searchParams.get("code");
    if (!value) throw new Error(`install was not approved: ${location.search}`);
    return value;
  };

  /** A whole install: consent, then the code exchange; returns the oauth.v2.access body. */
  const install = async (params: Record<string, string> = {}, decision: Parameters<SlackEmulator["consent"]>[1] = {}) =>
    (await access({ code: await code(params, decision), redirect_uri: params.redirect_uri ?? CALLBACK })).body;

  const refresh = (refreshToken: string) => access({ grant_type: "refresh_token", refresh_token: refreshToken });

  /** A Web API call with a Bearer token and a JSON body (`json: false` sends a form). */
  const api = async (method: string, token: string | undefined, fields: Record<string, string> = {}, json = true) => {
    const headers: Record<string, string> = { "content-type": json ? "application/json; charset=utf-8" : "application/x-www-form-urlencoded" };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${emulator.endpoints.apiBaseUrl}/${method}`, { method: "POST", headers, body: json ? JSON.stringify(fields) : new URLSearchParams(fields) });
    return answerOf(response);
  };

  return { authorizeUrl, access, code, install, refresh, api };
}
