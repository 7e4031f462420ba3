// The Express application: security headers, an access log without query strings (a callback's query holds the
// authorization code and the state), cookies, form bodies, the same-origin guard, the routes and the error page.
import cookieParser from "cookie-parser";
import express, { type Express, type RequestHandler } from "express";
import type { Logger } from "@sdk/core";
import { connectionRoutes } from "./connection-routes.js";
import { errorHandler } from "./error-handler.js";
import { installRoutes } from "./install-routes.js";
import { sameOriginGuard } from "./same-origin-guard.js";
import { securityHeaders } from "./security-headers.js";
import type { ServiceDeps } from "./service-deps.js";
import { ServiceError } from "./service-error.js";

function accessLog(logger: Logger): RequestHandler {
  return (request, response, next) => {
    const started = performance.now();
    response.on("finish", () => {
      logger.info({ method: request.method, path: request.originalUrl.split("?")[0], status: response.statusCode, ms: Math.round(performance.now() - started) }, "request");
    });
    next();
  };
}

export function createApp(deps: ServiceDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(securityHeaders(deps.installOrigins), accessLog(deps.logger), cookieParser(), express.urlencoded({ extended: false, limit: "8kb" }), sameOriginGuard(deps.publicUrl));
  app.use(installRoutes(deps), connectionRoutes(deps));
  app.use((_request, _response, next) => next(new ServiceError("not_found", 404, "There is no page here.")));
  app.use(errorHandler(deps.logger));
  return app;
}
