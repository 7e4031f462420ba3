// Starts the service: binds the port first (so the public URL, and with it every redirect URI, is known even on a
// free port), then in dev mode the emulators, then the stores and the SDK, and only then answers requests.
// `close()` stops all of it in reverse order. main.ts calls this; so do the tests, in-process.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createSDK, type Logger, type SDK } from "@sdk/core";
import type { Request } from "express";
import { buildProviders } from "./build-providers.js";
import { createApp } from "./create-app.js";
import { createJsonLogger } from "./create-json-logger.js";
import { InstallCookies } from "./install-cookies.js";
import { openStores } from "./open-stores.js";
import type { ServiceConfig } from "./service-config.js";
import type { Identity } from "./service-deps.js";
import type { DevEmulators } from "./start-dev-emulators.js";

export interface RunningService {
  /** The public URL (origin) the service answers at. */
  url: string;
  /** The address it is bound to, e.g. http://127.0.0.1:3000 (the same as `url` unless PUBLIC_URL is set). */
  localUrl: string;
  sdk: SDK;
  /** The in-process emulators, in dev mode. */
  emulators: DevEmulators | undefined;
  /** Which stores back the SDK, e.g. "MemoryCache + MemoryStore". */
  stores: string;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export interface StartServiceOptions {
  /** @default a JSON-lines logger on stderr at `config.logLevel` */
  logger?: Logger;
  /** Who is asking. @default the fixed demo identity of `config.identity`; plug your session lookup in here. */
  identify?: (request: Request) => Identity;
}

export async function startService(config: ServiceConfig, options: StartServiceOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createJsonLogger(config.logLevel);
  const server = createServer();
  const closers: Array<() => Promise<void>> = [];
  // Reverse start order; a second call finds nothing left to stop.
  const close = async () => {
    for (const step of closers.splice(0).reverse()) await step();
  };
  try {
    const { port } = await listen(server, config.port, config.host);
    closers.push(() => closeServer(server));
    const localUrl = `http://${urlHost(config.host)}:${port}`;
    const publicUrl = config.publicUrl ?? localUrl;
    const emulators = config.dev ? await (await import("./start-dev-emulators.js")).startDevEmulators(publicUrl) : undefined;
    if (emulators) closers.push(() => emulators.close());
    const stores = await openStores(config, logger);
    closers.push(() => stores.close());
    const { providers, connectable, installOrigins } = buildProviders(config, publicUrl, emulators);
    const sdk = createSDK({
      store: stores.store,
      cache: stores.cache,
      state: { secrets: [config.stateSecret] },
      encryption: { keys: [config.credentialsKey] },
      providers,
      logger,
    });
    closers.push(() => sdk.close());
    const app = createApp({ sdk, publicUrl, connectable, installOrigins, identify: options.identify ?? (() => config.identity), cookies: new InstallCookies(publicUrl.startsWith("https:")), logger });
    server.on("request", app);
    return { url: publicUrl, localUrl, sdk, emulators, stores: stores.label, close };
  } catch (error) {
    await close();
    throw error;
  }
}
