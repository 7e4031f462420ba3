// What the routes need, handed to createApp once: the SDK, the identity seam, the providers on offer, and the
// install cookies. Routes hold no other state, so any number of service instances can share Redis and MongoDB.
import type { Logger, SDK } from "@sdk/core";
import type { Request } from "express";
import type { ConnectableProvider } from "./connectable-provider.js";
import type { InstallCookies } from "./install-cookies.js";

export interface Identity {
  user_id: string;
  account_id: string;
}

export interface ServiceDeps {
  sdk: SDK;
  /** Origin the browser reaches the service at. */
  publicUrl: string;
  connectable: readonly ConnectableProvider[];
  /** Origins of the providers' install pages, which the Connect forms redirect to (CSP `form-action`). */
  installOrigins: readonly string[];
  /** Who is asking. This example answers one fixed demo user; a real service reads its session here. */
  identify(request: Request): Identity;
  cookies: InstallCookies;
  logger: Logger;
}
