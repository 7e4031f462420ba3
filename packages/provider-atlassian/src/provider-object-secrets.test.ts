// atlassian() returns three provider objects (jira, jsm, confluence); none shows the client secret through
// util.inspect, JSON.stringify or a public field. The emulator's default client secret is random per start.
import { reachableSecrets } from "@sdk/core/testing";
import { expect, it } from "vitest";
import { atlassian } from "./index.js";
import { startAtlassianEmulator } from "./testing.js";

const SECRET = "planted-atlassian-secret-4e8b1d7c";

it("no Atlassian provider object exposes clientSecret", () => {
  const bundle = atlassian({ clientId: "client", clientSecret: SECRET, redirectUri: "https://app.example/cb" });
  expect(bundle).toHaveLength(3);
  expect(reachableSecrets(bundle, [SECRET])).toEqual([]);
});

it("the emulator's default client secret is random per start", async () => {
  const [first, second] = await Promise.all([startAtlassianEmulator(), startAtlassianEmulator()]);
  try {
    expect(first.clientSecret).not.toBe(second.clientSecret);
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
});
