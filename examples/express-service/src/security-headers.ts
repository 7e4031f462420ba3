// Headers for every answer. The Referrer-Policy matters most: the callback URL carries the authorization code and the
// state, and the pages rendered there (site picker, error page) must not hand them to another origin in a Referer.
// `same-origin` rather than `no-referrer`, which would make browsers send `Origin: null` on the page's own forms.
import type { RequestHandler } from "express";

/**
 * `installOrigins`: where the Connect forms' POST redirects to (the providers' install pages). Browsers apply
 * `form-action` to the redirects after a form submission too, so those origins are listed; no other.
 */
export function securityHeaders(installOrigins: readonly string[]): RequestHandler {
  const formAction = ["'self'", ...installOrigins].join(" ");
  const policy = `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`;
  return (_request, response, next) => {
    response.set({
      "Content-Security-Policy": policy,
      "Referrer-Policy": "same-origin",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
    });
    next();
  };
}
