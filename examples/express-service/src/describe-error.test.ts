import { SdkError } from "@sdk/core";
import { describe, expect, it } from "vitest";
import { describeError } from "./describe-error.js";
import { ServiceError } from "./service-error.js";

describe("describeError", () => {
  it("shows an SdkError's code and message, with a status by kind", () => {
    expect(describeError(new SdkError("state_bad_signature", "The callback state failed signature verification."))).toMatchObject({
      status: 400,
      code: "state_bad_signature",
      message: "The callback state failed signature verification.",
      title: "The connection could not be completed",
    });
    expect(describeError(new SdkError("provider_unavailable", "Slack did not answer.", { retryable: true }))).toMatchObject({ status: 502, retryable: true });
    expect(describeError(new SdkError("integration_not_found", "No integration has this id."))).toMatchObject({ status: 404 });
  });

  it("shows the service's own errors as they were written", () => {
    expect(describeError(new ServiceError("cross_site_request", 403, "Refused."))).toEqual({ status: 403, code: "cross_site_request", title: "Request refused", message: "Refused.", retryable: false });
  });

  it("never shows the text of any other error, which may quote a secret", () => {
    const leaky = new Error("connect failed: mongodb://app:hunter2-password@db.internal/app");
    const unreadable = Object.assign(new Error("Unexpected token in JSON at position 3: sk_live_abcdef"), { status: 400 });
    const internal = describeError(leaky);
    const badRequest = describeError(unreadable);
    expect([internal.status, internal.code, badRequest.status, badRequest.code]).toEqual([500, "internal_error", 400, "bad_request"]);
    expect(JSON.stringify([internal, badRequest])).not.toMatch(/hunter2|sk_live/);
  });
});
