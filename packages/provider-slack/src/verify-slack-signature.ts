// Slack's request signing: `X-Slack-Signature: v0=` + hex HMAC-SHA256(signing secret, `v0:{X-Slack-Request-Timestamp}:{raw
// body}`), compared in constant time, and a request more than 5 minutes from now refused (a captured request cannot be
// replayed later). Never logs or returns the secret, the body or the signature.
import { SdkError, type WebhookInput } from "@sdk/core";
import { webhookHeader } from "@sdk/core/provider-kit";
import { createHmac, timingSafeEqual } from "node:crypto";

/** Slack's window: "more than five minutes from local time" is refused. @see https://api.slack.com/authentication/verifying-requests-from-slack */
export const SLACK_SIGNATURE_MAX_AGE_SECONDS = 300;

/** The `X-Slack-Signature` value for a body at a timestamp (seconds): what Slack sends, and what the emulator signs with. */
export function slackSignature(signingSecret: string, timestamp: string, body: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`, "utf8").digest("hex")}`;
}

/**
 * Verifies a request from Slack, in this order: both headers present and the signature matching the raw body
 * (`webhook_signature_invalid`), then the timestamp within 5 minutes of `nowMs`, either way (`webhook_replayed`).
 * bolt-js (`verifySlackRequest`) refuses only old timestamps; Slack's docs say "from local time", so a timestamp far
 * in the future is refused too.
 */
export function verifySlackRequest(input: WebhookInput, signingSecret: string, nowMs: number): void {
  const timestamp = webhookHeader(input.headers, "x-slack-request-timestamp");
  const signature = webhookHeader(input.headers, "x-slack-signature");
  const invalid = (why: string) =>
    new SdkError("webhook_signature_invalid", `The Slack request's ${why}: answer 401 and ignore it.`, { details: { provider: "slack", header: "X-Slack-Signature" } });
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) throw invalid("X-Slack-Request-Timestamp is missing or not a number of seconds");
  if (signature === undefined) throw invalid("X-Slack-Signature is missing");
  const expected = Buffer.from(slackSignature(signingSecret, timestamp, input.body), "utf8");
  const presented = Buffer.from(signature, "utf8");
  // timingSafeEqual needs equal lengths; a length mismatch says nothing about the secret.
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw invalid("X-Slack-Signature does not match the body (check slack({ signingSecret }))");
  const ageSeconds = Math.abs(Math.floor(nowMs / 1000) - Number(timestamp));
  if (ageSeconds > SLACK_SIGNATURE_MAX_AGE_SECONDS) {
    throw new SdkError("webhook_replayed", `The Slack request is ${ageSeconds} s from now, outside the 5-minute window: a replay or a wrong clock; answer 401 and ignore it.`, {
      details: { provider: "slack", header: "X-Slack-Request-Timestamp" },
    });
  }
}
