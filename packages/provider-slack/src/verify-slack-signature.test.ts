// The signature scheme pinned to the worked example in Slack's docs
// (https://api.slack.com/authentication/verifying-requests-from-slack), so the emulator and the SDK cannot agree on
// a wrong scheme between themselves.
import { describe, expect, it } from "vitest";
import { slackSignature, verifySlackRequest } from "./verify-slack-signature.js";

const DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const DOC_TIMESTAMP = "1531420618";
const DOC_BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

describe("Slack request signing", () => {
  it("computes Slack's documented example byte for byte", () => {
    expect(slackSignature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).toBe(DOC_SIGNATURE);
  });

  it("verifies the documented request at its time, and refuses it 5 minutes and 1 second later", () => {
    const input = { provider: "slack", headers: { "X-Slack-Request-Timestamp": DOC_TIMESTAMP, "X-Slack-Signature": DOC_SIGNATURE }, body: DOC_BODY };
    const at = Number(DOC_TIMESTAMP) * 1000;
    expect(() => verifySlackRequest(input, DOC_SECRET, at + 300_000)).not.toThrow();
    expect(() => verifySlackRequest(input, DOC_SECRET, at + 301_000)).toThrow(expect.objectContaining({ code: "webhook_replayed" }));
    expect(() => verifySlackRequest(input, "another-secret", at)).toThrow(expect.objectContaining({ code: "webhook_signature_invalid" }));
    // A repeated header is not a single value: refused rather than guessing which one Slack sent.
    expect(() => verifySlackRequest({ ...input, headers: { ...input.headers, "x-slack-signature": [DOC_SIGNATURE, DOC_SIGNATURE] } }, DOC_SECRET, at)).toThrow(
      expect.objectContaining({ code: "webhook_signature_invalid" }),
    );
  });
});
