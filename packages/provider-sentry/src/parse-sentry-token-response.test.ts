import { SdkError } from "@sdk/core";
import { describe, expect, it } from "vitest";
import { parseSentryTokenResponse } from "./parse-sentry-token-response.js";

describe("parseSentryTokenResponse", () => {
  it("maps the camelCase 201 body to the engine's token fields", () => {
    const body = { id: "7", token: "tok", refreshToken: "ref", dateCreated: "2026-01-01T00:00:00.000Z", expiresAt: "2026-01-01T08:00:00.000Z", state: null, application: null };
    expect(parseSentryTokenResponse(body)).toEqual({
      "": { access_token: "tok", refresh_token: "ref", token_type: "Bearer", expires_at: Date.UTC(2026, 0, 1, 8) },
    });
  });

  it("leaves the lifetime to the engine's 8 h default when expiresAt is absent", () => {
    expect(parseSentryTokenResponse({ token: "tok", refreshToken: "ref" })[""]).not.toHaveProperty("expires_at");
  });

  it.each([
    [{ refreshToken: "planted-refresh-1", expiresAt: "2026-01-01T08:00:00Z" }, "token"],
    [{ token: "planted-access-1", expiresAt: "2026-01-01T08:00:00Z" }, "refreshToken"],
    [{ token: "planted-access-1", refreshToken: "planted-refresh-1", expiresAt: "eight hours" }, "expiresAt"],
    [{ access_token: "planted-access-1", refresh_token: "planted-refresh-1", expires_in: 28800 }, "token"],
  ])("refuses %j naming %s and never the value", (body, field) => {
    let error: unknown;
    try {
      parseSentryTokenResponse(body);
    } catch (caught) {
      error = caught;
    }
    expect(SdkError.is(error, "provider_response_invalid")).toBe(true);
    expect((error as SdkError).details.field).toBe(field);
    expect(JSON.stringify(error) + (error as SdkError).message).not.toMatch(/planted|eight hours/);
  });
});
