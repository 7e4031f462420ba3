// The account's connections: the page (listConnections), and removal as DELETE /connections/:id (JSON, for scripts)
// or POST /connections/:id/delete (the page's form). A connection of another account answers 404, as a missing one.
import { Router, type Request } from "express";
import { renderConnectionsPage } from "./pages/render-connections-page.js";
import type { ServiceDeps } from "./service-deps.js";
import { ServiceError } from "./service-error.js";

export function connectionRoutes(deps: ServiceDeps): Router {
  const router = Router();

  async function remove(request: Request) {
    const id = String(request.params.id);
    const connection = await deps.sdk.getConnection(id);
    if (connection.account_id !== deps.identify(request).account_id) throw new ServiceError("integration_not_found", 404, "No such connection.");
    // revoke: Slack's tokens are revoked at Slack; Atlassian has no revocation endpoint (see its README).
    return deps.sdk.deleteConnection(id, { revoke: true });
  }

  router.get("/", (_request, response) => response.redirect(303, "/connections"));

  router.get("/connections", async (request, response) => {
    const { account_id } = deps.identify(request);
    const connections = await deps.sdk.listConnections({ account_id });
    const connected = typeof request.query.connected === "string" ? request.query.connected : undefined;
    response.type("html").send(renderConnectionsPage({ account_id, connections, connectable: deps.connectable, connected, deleted: request.query.deleted === "1" }));
  });

  router.delete("/connections/:id", async (request, response) => {
    response.json(await remove(request));
  });

  router.post("/connections/:id/delete", async (request, response) => {
    await remove(request);
    response.redirect(303, "/connections?deleted=1");
  });

  return router;
}
