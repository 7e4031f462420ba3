// A tiny HTTP API on 127.0.0.1 for sdk.fetch tests: records every request and answers through a handler the test
// sets. Real sockets on loopback, so credential injection is observed on the wire rather than in a mocked fetch.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface LocalApiServer {
  /** `http://127.0.0.1:{port}` */
  url: string;
  requests: RecordedRequest[];
  /** Replaces how the server answers; the default is 200 `{"ok":true}`. */
  handle(handler: (request: RecordedRequest) => Reply): void;
  close(): Promise<void>;
}

export async function startLocalApi(): Promise<LocalApiServer> {
  const requests: RecordedRequest[] = [];
  let handler: (request: RecordedRequest) => Reply = () => ({ status: 200, body: '{"ok":true}' });
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const request = { method: incoming.method ?? "GET", path: incoming.url ?? "/", headers: incoming.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(request);
      const reply = handler(request);
      outgoing.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
      outgoing.end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
