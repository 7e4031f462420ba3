import { SdkError } from "@sdk/core";
import { describe, expect, it } from "vitest";
import { mapSentryError } from "./map-sentry-error.js";

const answer = (status: number, body: unknown) => ({ status, headers: new Headers(), body });

describe("mapSentryError", () => {
  it("a 404 with any other text (a wrong host or path) is not an uninstall: left to the RFC mapping, never reauth_required", () => {
    expect(mapSentryError(answer(404, { detail: "Not found" }))).toBeUndefined();
    expect(mapSentryError(answer(404, { detail: "Page not found at /api/0/wrong/" }))).toBeUndefined();
  });

  it.each([
    [401, "Given refresh token does not exist", "reauth_required", "refresh_token_not_found"],
    [401, "Could not find grant for given code", "reauth_required", "grant_not_found"],
    [401, "Forbidden grant", "reauth_required", "grant_forbidden"],
    [401, "Grant has already expired", "reauth_required", "grant_expired"],
    [400, "Token does not belong to the application", "reauth_required", "token_not_of_application"],
    [401, "Invalid Client ID / Secret pair", "invalid_client", "invalid_client"],
    [403, "Invalid Client ID / Secret pair", "invalid_client", "invalid_client"],
    [403, "Invalid grant_type", "provider_error", "invalid_grant_type"],
    [404, "The requested resource does not exist", "reauth_required", "installation_not_found"],
  ])("HTTP %i %j -> %s (%s)", (status, detail, code, name) => {
    const error = mapSentryError(answer(status, { detail }));
    expect(SdkError.is(error, code as SdkError["code"])).toBe(true);
    expect(error!.details).toEqual({ provider: "sentry", status, provider_error: name });
    expect(error!.message).not.toContain(detail);
  });

  it("leaves 2xx, 429, 5xx, unknown details and non-Sentry bodies to the engine", () => {
    expect(mapSentryError(answer(201, { detail: "Forbidden grant" }))).toBeUndefined();
    expect(mapSentryError(answer(429, { detail: "Request was throttled." }))).toBeUndefined();
    expect(mapSentryError(answer(500, { detail: "Given refresh token does not exist" }))).toBeUndefined();
    expect(mapSentryError(answer(400, { detail: "something new" }))).toBeUndefined();
    expect(mapSentryError(answer(400, { refresh_token: ["This field is required."] }))).toBeUndefined();
    expect(mapSentryError(answer(401, undefined))).toBeUndefined();
  });

  it("names the provider id it was given", () => {
    expect(mapSentryError(answer(401, { detail: "Forbidden grant" }), "sentry-eu")?.details.provider).toBe("sentry-eu");
  });
});
