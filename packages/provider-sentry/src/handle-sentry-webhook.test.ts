// Installation webhooks end to end: the emulator signs and POSTs to a receiver that calls sdk.handleWebhook.
// Uninstall -> revoked (compare-and-set, cache dropped, connection.revoked once); bad signatures are refused.
import { createHmac, randomUUID } from "node:crypto";
import { SdkError } from "@sdk/core";
import { accessTokenKey } from "@sdk/core/provider-kit";
import { afterEach, describe, expect, it } from "vitest";
import { EIGHT_HOURS, codeOf, useHarness, type Harness } from "../test/harness.js";
import { startWebhookReceiver, type WebhookReceiver } from "./testing/start-webhook-receiver.js";

const startHarness = useHarness();
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(): Promise<{ h: Harness; receiver: WebhookReceiver }> {
  const h = await startHarness();
  receiver = await startWebhookReceiver(h.sdk);
  return { h, receiver };
}

function signedInput(h: Harness, payload: unknown, headers: Record<string, string> = {}) {
  const body = JSON.stringify(payload);
  return {
    provider: "sentry",
    body,
    headers: {
      "content-type": "application/json",
      "sentry-hook-resource": "installation",
      "sentry-hook-signature": createHmac("sha256", h.emulator.clientSecret).update(body).digest("hex"),
      "sentry-hook-timestamp": String(Math.floor(h.clock.now() / 1000)),
      "request-id": randomUUID(),
      ...headers,
    },
  };
}

const deletedPayload = (uuid: string) => ({ action: "deleted", installation: { uuid }, data: { installation: { uuid, status: "installed" } }, actor: { id: 1, type: "user" } });

describe("installation webhooks", () => {
  it("an uninstall webhook marks the integration revoked, drops its cached token and emits connection.revoked once", async () => {
    const { h, receiver } = await start();
    const revoked: unknown[] = [];
    h.sdk.events.on("connection.revoked", (event) => revoked.push(event));
    const { id, installationId } = await h.connect();
    const other = await h.connect({ consent: { org: "globex" } });
    expect(await h.cache.get(accessTokenKey("sentry", id, "acct-1"))).toBeDefined();

    h.emulator.uninstall(installationId);
    expect(await h.emulator.sendInstallationWebhook(receiver.url, { action: "deleted", installationId })).toBe(200);
    expect(receiver.deliveries).toEqual([{ status: 200, result: { event: "installation.deleted", integration_ids: [id] } }]);
    expect(await h.sdk.getConnection(id)).toMatchObject({ status: "revoked", version: 2 });
    expect(await h.cache.get(accessTokenKey("sentry", id, "acct-1"))).toBeUndefined();
    expect(revoked).toEqual([{ provider: "sentry", integration_id: id, account_id: "acct-1", reason: "the organization uninstalled the Sentry integration" }]);
    expect(await codeOf(h.sdk.resolveConnection(id))).toBe("integration_revoked");
    expect(await codeOf(h.sdk.fetch(id, "/api/0/organizations/acme/projects/"))).toBe("integration_revoked");
    expect((await h.sdk.getConnection(other.id)).status).toBe("active");

    // Sentry redelivers on timeouts: a second delivery changes nothing and emits nothing.
    expect(await h.emulator.sendInstallationWebhook(receiver.url, { action: "deleted", installationId })).toBe(200);
    expect(receiver.deliveries[1]).toEqual({ status: 200, result: { event: "installation.deleted", integration_ids: [] } });
    expect(revoked).toHaveLength(1);
    expect((await h.sdk.getConnection(id)).version).toBe(2);
  });

  it("a re-install after revocation is a new installation and a new active integration", async () => {
    const { h, receiver } = await start();
    const first = await h.connect();
    h.emulator.uninstall(first.installationId);
    await h.emulator.sendInstallationWebhook(receiver.url, { action: "deleted", installationId: first.installationId });
    const second = await h.connect();
    expect(second.id).not.toBe(first.id);
    expect((await h.sdk.getConnection(second.id)).status).toBe("active");
  });

  it("refuses a signature made with another key: 401, webhook_signature_invalid, nothing changes", async () => {
    const { h, receiver } = await start();
    const { id, installationId } = await h.connect();
    expect(await h.emulator.sendInstallationWebhook(receiver.url, { action: "deleted", installationId, signWith: "not-the-client-secret" })).toBe(401);
    expect(receiver.deliveries).toEqual([{ status: 401, code: "webhook_signature_invalid" }]);
    expect(await h.sdk.getConnection(id)).toMatchObject({ status: "active", version: 1 });
  });

  it("refuses a missing signature, a tampered body and a repeated signature header", async () => {
    const { h } = await start();
    const { id, installationId } = await h.connect();
    const good = signedInput(h, deletedPayload(installationId));
    const { "sentry-hook-signature": signature, ...unsigned } = good.headers;
    const attempts = [
      { ...good, headers: unsigned },
      { ...good, body: good.body.replace('"installed"', '"pending"') },
      { ...good, headers: { ...unsigned, "sentry-hook-signature": [signature, signature] } },
    ];
    for (const input of attempts) {
      const error = await h.sdk.handleWebhook(input).catch((caught: unknown) => caught);
      expect(SdkError.is(error, "webhook_signature_invalid")).toBe(true);
      expect((error as SdkError).retryable).toBe(false);
    }
    expect((await h.sdk.getConnection(id)).status).toBe("active");
  });

  it("reads header names case-insensitively", async () => {
    const { h } = await start();
    const { id, installationId } = await h.connect();
    const input = signedInput(h, deletedPayload(installationId));
    const headers = Object.fromEntries(Object.entries(input.headers).map(([name, value]) => [name.replace(/(^|-)([a-z])/g, (match) => match.toUpperCase()), value]));
    expect(headers).toHaveProperty("Sentry-Hook-Signature");
    expect(headers).toHaveProperty("Request-Id");
    await expect(h.sdk.handleWebhook({ ...input, headers })).resolves.toEqual({ event: "installation.deleted", integration_ids: [id] });
  });

  it("acknowledges installation.created and other resources without changing anything", async () => {
    const { h, receiver } = await start();
    const { id, installationId } = await h.connect();
    expect(await h.emulator.sendInstallationWebhook(receiver.url, { action: "created", installationId })).toBe(200);
    expect(receiver.deliveries[0]).toEqual({ status: 200, result: { event: "installation.created", integration_ids: [] } });
    const issue = signedInput(h, { action: "created", data: { issue: { id: "1" } } }, { "sentry-hook-resource": "issue" });
    await expect(h.sdk.handleWebhook(issue)).resolves.toEqual({ integration_ids: [] });
    const unknownAction = signedInput(h, { ...deletedPayload(installationId), action: "archived" });
    await expect(h.sdk.handleWebhook(unknownAction)).resolves.toEqual({ integration_ids: [] });
    expect((await h.sdk.getConnection(id)).status).toBe("active");
  });

  it("a signed body that is not an installation event is validation_failed naming the field", async () => {
    const { h } = await start();
    const notJson = signedInput(h, {});
    notJson.body = "not json";
    notJson.headers["sentry-hook-signature"] = createHmac("sha256", h.emulator.clientSecret).update("not json").digest("hex");
    const cases: Array<[ReturnType<typeof signedInput>, string]> = [
      [notJson, "handleWebhook.body"],
      [signedInput(h, { action: "deleted", data: { installation: {} } }), "handleWebhook.body.data.installation.uuid"],
      [signedInput(h, { action: "deleted", data: { installation: { uuid: "../../x" } } }), "handleWebhook.body.data.installation.uuid"],
    ];
    for (const [input, field] of cases) {
      const error = await h.sdk.handleWebhook(input).catch((caught: unknown) => caught);
      expect(SdkError.is(error, "validation_failed")).toBe(true);
      expect((error as SdkError).details.field).toBe(field);
    }
  });

  it("an uninstall that races a refresh still leaves the integration revoked", async () => {
    const { h } = await start();
    const { id, installationId } = await h.connect();
    h.clock.advance(EIGHT_HOURS);
    h.emulator.fault("authorizations", { kind: "delay", ms: 150 }, 1);
    const resolving = h.sdk.resolveConnection(id).catch((caught: unknown) => caught);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(h.sdk.handleWebhook(signedInput(h, deletedPayload(installationId)))).resolves.toEqual({ event: "installation.deleted", integration_ids: [id] });
    await resolving;
    expect(h.emulator.stats.refreshes).toBe(1);
    expect((await h.sdk.getConnection(id)).status).toBe("revoked");
    expect(await codeOf(h.sdk.resolveConnection(id))).toBe("integration_revoked");
  });

  it("is not offered by the org-token provider", async () => {
    const { h } = await start();
    const error = await h.sdk.handleWebhook({ ...signedInput(h, {}), provider: "sentry-org-token" }).catch((caught: unknown) => caught);
    expect(SdkError.is(error, "unsupported_operation")).toBe(true);
  });
});
