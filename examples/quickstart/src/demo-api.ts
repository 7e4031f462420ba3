// The third-party API of the demo: a real HTTP server on 127.0.0.1 that answers only requests carrying a credential
// a step granted, so every `sdk.fetch` in the trace shows credentials injected on the wire, not in a mock.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface DemoApi {
  /** `http://127.0.0.1:{port}` */
  readonly url: string;
  /** Accepts requests whose headers include every one of `headers` (names lower-case), answering as `identity`. */
  grant(identity: string, headers: Record<string, string>): void;
  /** Stops accepting `identity`'s credentials (a rotated or deleted key). */
  revoke(identity: string): void;
  /** Every header value ever granted, so a test can check that none of them was printed. */
  grantedValues(): string[];
  close(): Promise<void>;
}

function matches(given: IncomingHttpHeaders, required: Record<string, string>): boolean {
  return Object.entries(required).every(([name, value]) => given[name.toLowerCase()] === value);
}

export async function startDemoApi(): Promise<DemoApi> {
  const grants = new Map<string, Record<string, string>>();
  const granted: string[] = [];
  const server = createServer((request, response) => {
    const identity = [...grants].find(([, required]) => matches(request.headers, required))?.[0];
    response.setHeader("content-type", "application/json");
    if (!identity) {
      response.writeHead(401).end(JSON.stringify({ error: "unauthorized" }));
      return;
    }
    response.writeHead(200).end(JSON.stringify({ path: request.url, authenticated_as: identity }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    grant(identity, headers) {
      grants.set(identity, headers);
      granted.push(...Object.values(headers));
    },
    revoke: (identity) => void grants.delete(identity),
    grantedValues: () => [...granted],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
