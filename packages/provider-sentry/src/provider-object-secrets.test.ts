// sentry() and sentryOrgToken() keep the client secret (also Sentry's webhook signing key) out of util.inspect,
// JSON.stringify and every public field. The emulator's default client secret is random per start.
import { reachableSecrets } from "@sdk/core/testing";
import { expect, it } from "vitest";
import { sentry, sentryOrgToken } from "./index.js";
import { startSentryEmulator } from "./testing.js";

const SECRET = "planted-sentry-client-secret-6c2e8a";

it("no Sentry provider object exposes clientSecret", () => {
  const providers = [sentry({ slug: "acme-app", clientId: "client", clientSecret: SECRET }), sentryOrgToken()];
  expect(reachableSecrets(providers, [SECRET])).toEqual([]);
});

it("the emulator's default client secret is random per start", async () => {
  const [first, second] = await Promise.all([startSentryEmulator({ redirectUrl: "https://app.example/sentry" }), startSentryEmulator({ redirectUrl: "https://app.example/sentry" })]);
  try {
    expect(first.clientSecret).not.toBe(second.clientSecret);
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});
