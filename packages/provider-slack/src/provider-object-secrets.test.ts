// slack() keeps its client secret and signing secret in private fields: util.inspect, JSON.stringify and the public
// fields never show them. The emulator's default client secret is random per start.
import { reachableSecrets } from "@sdk/core/testing";
import { expect, it } from "vitest";
import { slack } from "./index.js";
import { startSlackEmulator } from "./testing.js";

const SECRETS = ["planted-slack-client-secret-9a7c", "planted-slack-signing-secret-3b5d1f"];

it("the Slack provider object exposes neither clientSecret nor signingSecret", () => {
  const provider = slack({ clientId: "1.2", clientSecret: SECRETS[0]!, signingSecret: SECRETS[1]!, redirectUri: "https://app.example/slack", scopes: ["chat:write"] });
  expect(reachableSecrets(provider, SECRETS)).toEqual([]);
});

it("the emulator's default client secret is random per start", async () => {
  const [first, second] = await Promise.all([startSlackEmulator({ redirectUris: ["https://app.example/slack"] }), startSlackEmulator({ redirectUris: ["https://app.example/slack"] })]);
  try {
    expect(first.clientSecret).not.toBe(second.clientSecret);
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});
