// A webhook endpoint on 127.0.0.1 that hands the raw body and headers to `sdk.handleWebhook`, answering as a
// production route should: 200 with the result, 401 for a bad signature, 400 for a bad body, 409 for a replayed or
// stale delivery, 500 otherwise.
// Tests and demos point the emulator's `sendInstallationWebhook` at its `url`.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SdkError, type SDK, type WebhookResult } from "@sdk/core";

export interface WebhookDelivery {
  /** The HTTP status the receiver answered. */
  status: number;
  /** What `sdk.handleWebhook` returned, when it accepted the delivery. */
  result?: WebhookResult;
  /** The SdkError code when the SDK refused the delivery. */
  code?: string;
}

export interface WebhookReceiver {
  /** Where to send webhooks (`emulator.sendInstallationWebhook(receiver.url, …)`). */
  readonly url: string;
  /** Every delivery, oldest first. */
  readonly deliveries: WebhookDelivery[];
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

// A replayed or stale delivery is refused with 409 so a test sees it; nothing was applied either way.
const STATUS_OF: Partial<Record<string, number>> = { webhook_signature_invalid: 401, validation_failed: 400, webhook_replayed: 409 };

export async function startWebhookReceiver(sdk: Pick<SDK, "handleWebhook">, options: { provider?: string } = {}): Promise<WebhookReceiver> {
  const provider = options.provider ?? "sentry";
  const deliveries: WebhookDelivery[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers: Record<string, string | string[] | undefined> = { ...request.headers };
    let delivery: WebhookDelivery;
    try {
      const result = await sdk.handleWebhook({ provider, headers, body: Buffer.concat(chunks).toString("utf8") });
      delivery = { status: 200, result };
    } catch (error) {
      const code = SdkError.is(error) ? error.code : "internal";
      delivery = { status: STATUS_OF[code] ?? 500, code };
    }
    deliveries.push(delivery);
    response.writeHead(delivery.status, { "content-type": "application/json" });
    response.end(JSON.stringify(delivery.result ?? { error: delivery.code }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/sentry`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
