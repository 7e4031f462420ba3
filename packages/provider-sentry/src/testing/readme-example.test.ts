// The README's testing-kit walk-through, through the package's public entry points only: what a demo needs is
// exported from "." and "./testing", and the few lines there really run.
import { MemoryCache, MemoryStore, createSDK } from "@sdk/core";
import { testEncryptionKey } from "@sdk/core/testing";
import { ManualClock } from "@sdk/oauth/testing";
import { afterEach, expect, it } from "vitest";
import { sentry, sentryOrgToken } from "../index.js";
import { installSentry, sentryOptionsFor, sentryOrgTokenOptionsFor, startSentryEmulator, startWebhookReceiver, type SentryEmulator, type WebhookReceiver } from "../testing.js";

let emulator: SentryEmulator | undefined;
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  await emulator?.close();
});

it("runs the README walk-through end to end", async () => {
  const clock = new ManualClock();
  emulator = await startSentryEmulator({ redirectUrl: "https://app.example.com/sentry/callback", clock });
  const sdk = createSDK({
    store: new MemoryStore(),
    cache: new MemoryCache({ now: clock.now }),
    now: clock.now,
    state: { secrets: [{ id: "s1", secret: "a-state-secret-of-at-least-32-characters" }] },
    encryption: { keys: [testEncryptionKey()] },
    providers: [sentry(sentryOptionsFor(emulator, { verifyInstall: true })), sentryOrgToken(sentryOrgTokenOptionsFor(emulator))],
  });
  const saved = await installSentry(sdk, emulator, { user_id: "u1", account_id: "a1" });
  const installationId = String(saved.metadata.installation_id);
  expect((await sdk.fetch(saved.id, "/api/0/organizations/test-org/projects/")).status).toBe(200);
  clock.advance(8 * 60 * 60 * 1000);
  await sdk.resolveConnection(saved.id);
  expect(emulator.stats).toMatchObject({ codeExchanges: 1, refreshes: 1, verifications: 1 });
  receiver = await startWebhookReceiver(sdk);
  emulator.uninstall(installationId);
  expect(await emulator.sendInstallationWebhook(receiver.url, { action: "deleted", installationId })).toBe(200);
  expect((await sdk.getConnection(saved.id)).status).toBe("revoked");

  const org = await sdk.createConnection({ provider: "sentry-org-token", account_id: "a1", created_by: "u1", credentials: { token: emulator.createInternalIntegrationToken("test-org") }, metadata: { org_slug: "test-org" } });
  expect((await sdk.fetch(org.id, "/api/0/organizations/test-org/projects/")).status).toBe(200);
});
