import { describe, expect, it } from "vitest";
import { webhookHeader } from "./webhook-header.js";

describe("webhookHeader", () => {
  it("reads a header in any case, from a string or a one-item list, and refuses repeats", () => {
    expect(webhookHeader({ "X-Slack-Signature": "v0=1" }, "x-slack-signature")).toBe("v0=1");
    expect(webhookHeader({ "x-slack-signature": ["v0=1"] }, "X-Slack-Signature")).toBe("v0=1");
    expect(webhookHeader({ "x-slack-signature": ["v0=1", "v0=2"] }, "x-slack-signature")).toBeUndefined();
    expect(webhookHeader({ "X-Slack-Signature": "v0=1", "x-slack-signature": "v0=2" }, "x-slack-signature")).toBeUndefined();
    expect(webhookHeader({ "x-slack-signature": undefined, other: "x" }, "x-slack-signature")).toBeUndefined();
  });
});
