// Slack's Events API from Slack's side, for the emulator: the `event_callback` envelope of an install, the signed
// request (`X-Slack-Signature` over `v0:{timestamp}:{raw body}`) and its POST to the app's Request URL. It keeps no
// state but the Request URL and never changes tokens itself (the ledger does).
import { randomBytes } from "node:crypto";
import type { Clock } from "@sdk/oauth/testing";
import { slackSignature } from "../verify-slack-signature.js";
import type { SlackInstall } from "./slack-token-ledger.js";

/** A request as Slack sends it to the Request URL: hand it to `sdk.handleWebhook({ provider: "slack", ...request })`. */
export interface SlackEventRequest {
  headers: Record<string, string>;
  /** The raw JSON body; the signature covers exactly these bytes. */
  body: string;
}

/** What the Request URL answered. */
export interface SlackEventDelivery {
  status: number;
  body: string;
}

export class SlackEventSender {
  /** The app's Request URL (Event Subscriptions); events are POSTed there. Settable after start. */
  url: string | undefined;
  readonly #signingSecret: string;
  readonly #appId: string;
  readonly #clock: Clock;

  constructor(options: { signingSecret: string; appId: string; clock: Clock; url: string | undefined }) {
    this.#signingSecret = options.signingSecret;
    this.#appId = options.appId;
    this.#clock = options.clock;
    this.url = options.url;
  }

  /**
   * The `event_callback` envelope for an install. Fields: https://api.slack.com/apis/events-api#callback-field
   * (token, team_id, api_app_id, event, type, event_id, event_time, authorizations). For an org-wide install the
   * authorization names the org with `team_id: null` and `is_enterprise_install: true` (what bolt-js reads first);
   * the top-level `team_id` of an org-wide install is not documented (UNSURE): the org id is sent.
   */
  envelope(install: SlackInstall, event: Record<string, unknown>): Record<string, unknown> {
    const enterpriseId = install.enterprise?.id ?? null;
    return {
      token: "emulated-verification-token",
      team_id: install.team?.id ?? enterpriseId,
      ...(enterpriseId ? { enterprise_id: enterpriseId } : {}),
      api_app_id: this.#appId,
      event,
      type: "event_callback",
      event_id: `Ev0${randomBytes(5).toString("hex").toUpperCase()}`,
      event_time: Math.floor(this.#clock.now() / 1000),
      authorizations: [
        { enterprise_id: enterpriseId, team_id: install.isEnterpriseInstall ? null : (install.team?.id ?? null), user_id: install.botUserId, is_bot: true, is_enterprise_install: install.isEnterpriseInstall },
      ],
      is_ext_shared_channel: false,
    };
  }

  /**
   * Signs a payload as Slack does: `X-Slack-Request-Timestamp` (seconds, the emulator's clock unless given) and
   * `X-Slack-Signature: v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{body}`).
   * @see https://api.slack.com/authentication/verifying-requests-from-slack
   */
  sign(payload: Record<string, unknown>, timestampSeconds?: number): SlackEventRequest {
    const body = JSON.stringify(payload);
    const timestamp = String(timestampSeconds ?? Math.floor(this.#clock.now() / 1000));
    return {
      headers: { "content-type": "application/json", "x-slack-request-timestamp": timestamp, "x-slack-signature": slackSignature(this.#signingSecret, timestamp, body) },
      body,
    };
  }

  /** POSTs a signed request to the Request URL; throws when none is set. */
  async send(request: SlackEventRequest): Promise<SlackEventDelivery> {
    if (!this.url) throw new Error("the Slack emulator has no eventsUrl: set startSlackEmulator({ eventsUrl }) or emulator.events.url");
    const answer = await fetch(this.url, { method: "POST", headers: request.headers, body: request.body });
    return { status: answer.status, body: await answer.text() };
  }
}
