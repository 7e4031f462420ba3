// The last middleware: logs the error by code (an unexpected one by class name and stack frames, never its message,
// which may quote a request or a driver command) and answers with the error page, or JSON to a client that asked
// for it (DELETE /connections/:id from a script).
import type { Logger } from "@sdk/core";
import type { ErrorRequestHandler } from "express";
import { describeError } from "./describe-error.js";
import { renderErrorPage } from "./pages/render-error-page.js";

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const description = describeError(error);
    const fields = { method: request.method, path: request.originalUrl.split("?")[0], status: description.status, error_code: description.code };
    if (description.code === "internal_error") {
      const frames = error instanceof Error ? (error.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line)).slice(0, 5).map((line) => line.trim()) : [];
      logger.error({ ...fields, error: error instanceof Error ? error.name : typeof error, frames }, "request failed");
    } else {
      logger.warn(fields, "request refused");
    }
    response.status(description.status);
    if (request.method === "DELETE" || request.accepts(["html", "json"]) === "json") {
      response.json({ error: description.code, message: description.message });
      return;
    }
    response.type("html").send(renderErrorPage(description));
  };
}
