// Headers for every answer. The Referrer-Policy matters most: the callback URL carries the authorization code and the
// state, and the pages rendered there (site picker, error page) must not hand them to another origin in a Referer.
// `same-origin` rather than `no-referrer`, which would make browsers send `Origin: null` on the page's own forms.
import type { RequestHandler } from "express";

const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const securityHeaders: RequestHandler = (_request, response, next) => {
  response.set({
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
  });
  next();
};
