// The install flow: GET /connect/:provider starts it (install URL + browser-binding cookie), GET /callback/:slug
// finishes it (verify, exchange, save), and POST /callback/:slug/site-selection completes an Atlassian install that
// granted several sites. Everything a callback checks is the SDK's; this file only moves values between HTTP and it.
import { SdkError, type IntegrationDraft } from "@sdk/core";
import { Router, type Response } from "express";
import type { CallbackSlug } from "./connectable-provider.js";
import { renderSitePickerPage } from "./pages/render-site-picker-page.js";
import type { ServiceDeps } from "./service-deps.js";
import { ServiceError } from "./service-error.js";

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function installRoutes(deps: ServiceDeps): Router {
  const router = Router();
  const bySlug = (slug: string) => deps.connectable.filter((provider) => provider.callback === slug);

  async function save(response: Response, slug: CallbackSlug, integration: IntegrationDraft): Promise<void> {
    const saved = await deps.sdk.createConnection(integration);
    deps.cookies.clear(response, slug);
    response.redirect(303, `/connections?connected=${encodeURIComponent(saved.id)}`);
  }

  router.get("/connect/:provider", async (request, response) => {
    const provider = deps.connectable.find((candidate) => candidate.id === request.params.provider);
    if (!provider) throw new ServiceError("unknown_provider", 404, "This service does not connect that provider.");
    const install = await deps.sdk.buildInstallUrl({ provider: provider.id, ...deps.identify(request) });
    deps.cookies.set(response, provider.callback, provider.id, install);
    response.redirect(303, install.url);
  });

  router.get("/callback/:slug", async (request, response) => {
    const candidates = bySlug(request.params.slug);
    if (candidates.length === 0) throw new ServiceError("unknown_provider", 404, "This service has no callback of that name.");
    const slug = candidates[0]!.callback;
    const cookies = deps.cookies.read(request, slug);
    // One redirect URI serves the three Atlassian products: the install cookie says which one started.
    const provider = candidates.length === 1 ? candidates[0] : candidates.find((candidate) => candidate.id === cookies.provider);
    if (!provider) {
      throw new ServiceError("install_not_started", 400, "This browser has no install in progress here (its install cookie expired or was blocked). Start again from the integrations page.");
    }
    try {
      // The whole query: the SDK reads what this provider's redirect carries (code, state, error, Sentry's installationId).
      const { integration } = await deps.sdk.handleInstallCallback({ provider: provider.id, query: request.query, browser_binding: cookies.binding });
      await save(response, slug, integration);
    } catch (error) {
      if (!SdkError.is(error, "atlassian_site_selection_required")) throw error;
      const { details } = error;
      response.type("html").send(
        renderSitePickerPage({ productLabel: provider.label, selection_id: details.selection_id, sites: details.sites, expires_at: details.expires_at, action: `/callback/${slug}/site-selection` }),
      );
    }
  });

  router.post("/callback/:slug/site-selection", async (request, response) => {
    const slug = bySlug(request.params.slug)[0]?.callback;
    if (!slug) throw new ServiceError("unknown_provider", 404, "This service has no callback of that name.");
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { integration } = await deps.sdk.completeSiteSelection({
      selection_id: text(body.selection_id) ?? "",
      cloud_id: text(body.cloud_id) ?? "",
      browser_binding: deps.cookies.read(request, slug).binding,
      // The SDK checks that the user and account finishing the selection are the ones who started the install.
      ...deps.identify(request),
    });
    await save(response, slug, integration);
  });

  return router;
}
