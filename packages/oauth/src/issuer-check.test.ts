// RFC 9207 (authorization server issuer identification) against the fake RFC 6749 server: with `issuer` configured, a
// callback whose `iss` differs is issuer_mismatch before anything else; a missing `iss` is refused only when the
// server always sends it; the matching `iss` installs as usual.
import { SdkError } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../test/harness.js";
import { OAuthStrategy } from "./oauth-strategy.js";

const ISSUER = "https://auth.acme.example";
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function callbackWith(h: Harness, iss: string | undefined) {
  const started = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
  const back = new URL(await h.server.consent(started.url, { user: "user-1" }));
  if (iss !== undefined) back.searchParams.set("iss", iss);
  return h.sdk.handleInstallCallback({ provider: "acme", query: back, browser_binding: started.browser_binding }).catch((error: unknown) => error);
}

describe("RFC 9207 iss check", () => {
  it("refuses another issuer before the code is exchanged, and says so in an event", async () => {
    const h = (harness = await startHarness({ provider: { issuer: ISSUER } }));
    const rejected: string[] = [];
    h.sdk.events.on("state.rejected", (event) => rejected.push(event.code));
    const error = await callbackWith(h, "https://evil.example");
    expect(SdkError.is(error, "issuer_mismatch") && error.details).toMatchObject({ field: "handleInstallCallback.iss", reason: "different" });
    expect(h.server.stats.codeExchanges).toBe(0);
    expect(rejected).toEqual(["issuer_mismatch"]);
  });

  it("accepts the configured issuer, and a missing iss unless the server always sends one", async () => {
    const h = (harness = await startHarness({ provider: { issuer: ISSUER } }));
    expect(await callbackWith(h, ISSUER)).toHaveProperty("integration.provider", "acme");
    expect(await callbackWith(h, undefined)).toHaveProperty("integration.provider", "acme");
    expect(h.server.stats.codeExchanges).toBe(2);
  });

  it("with authorizationResponseIssParameterSupported, a missing iss is issuer_mismatch", async () => {
    const h = (harness = await startHarness({ provider: { issuer: ISSUER, authorizationResponseIssParameterSupported: true } }));
    const error = await callbackWith(h, undefined);
    expect(SdkError.is(error, "issuer_mismatch") && error.details.reason).toBe("missing");
    expect(h.server.stats.codeExchanges).toBe(0);
  });

  it("authorizationResponseIssParameterSupported without issuer is misconfigured naming issuer", () => {
    const build = () =>
      new OAuthStrategy({
        id: "acme",
        client: { clientId: "c", clientSecret: "s", redirectUri: "https://app.example/cb" },
        endpoints: { authorizeUrl: "https://a.example/authorize", tokenUrl: "https://a.example/token", authorizationResponseIssParameterSupported: true },
      });
    expect(build).toThrow(expect.objectContaining({ code: "misconfigured", details: { field: "endpoints.issuer" } }));
  });
});
