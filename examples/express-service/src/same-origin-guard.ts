// Refuses state-changing requests (POST, DELETE, ...) that a browser sent from another origin: the disconnect and
// site-selection forms would otherwise be CSRF targets. `Sec-Fetch-Site` decides where the browser sends it (another
// port on the same host is "same-site", and refused too); else `Origin` must be this service's. A client that sends
// neither (curl, a server) carries no ambient cookies of a user, so it is let through.
import type { RequestHandler } from "express";
import { ServiceError } from "./service-error.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function sameOriginGuard(publicUrl: string): RequestHandler {
  const scheme = new URL(publicUrl).protocol;
  return (request, _response, next) => {
    if (SAFE_METHODS.has(request.method)) return next();
    const site = request.get("sec-fetch-site");
    const origin = request.get("origin");
    // The service may be reached under its public URL or, in development, under the address it was opened at.
    const allowed = [publicUrl, `${scheme}//${request.get("host") ?? ""}`];
    const foreign = site !== undefined ? site !== "same-origin" && site !== "none" : origin !== undefined && !allowed.includes(origin);
    if (foreign) return next(new ServiceError("cross_site_request", 403, "This request came from another site and was refused."));
    next();
  };
}
