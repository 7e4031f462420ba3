// The install flow: POST /connect/:provider starts it (install URL + browser-binding cookie), GET /callback/:slug
// finishes it (verify, exchange, save), POST /callback/:slug/site-selection completes an Atlassian install that
// granted several sites, and POST /callback/:slug/pending confirms an install started on the provider's site.
// Everything a callback checks is the SDK's; this file only moves values between HTTP and it.
import { SdkError, type IntegrationDraft } from "@sdk/core";
import { Router, type Request, type Response } from "express";
import type { CallbackSlug } from "./connectable-provider.js";
import { renderPendingInstallPage } from "./pages/render-pending-install-page.js";
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

  // A POST behind the same-origin guard: another site cannot start an install in a signed-in user's name (nor plant
  // its own install cookies in their browser) with a link or an image.
  router.post("/connect/:provider", async (request, response) => {
    const provider = deps.connectable.find((candidate) => candidate.id === request.params.provider);
    if (!provider) throw new ServiceError("unknown_provider", 404, "This service does not connect that provider.");
    const install = await deps.sdk.buildInstallUrl({ provider: provider.id, ...deps.identify(request) });
    deps.cookies.set(response, provider.callback, provider.id, install);
    response.redirect(303, install.url);
  });

  router.get("/connect/:provider", () => {
    throw new ServiceError("method_not_allowed", 405, "Start a connection with the Connect button on the integrations page.");
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
    // No state: an install started on the provider's site. If the SDK parks it as a pending install, it is bound to
    // this browser's binding cookie, made now when there is none (a reload must not replace it: the pending install
    // would then be unconfirmable). A state-carrying callback keeps the binding its install started with.
    const providerStarted = text(request.query.state) === undefined && text(request.query.code) !== undefined;
    const binding = providerStarted ? (cookies.binding ?? deps.cookies.bindNew(response, slug)) : cookies.binding;
    try {
      // The whole query: the SDK reads what this provider's redirect carries (code, state, error, Sentry's installationId).
      const { integration } = await deps.sdk.handleInstallCallback({ provider: provider.id, query: request.query, browser_binding: binding });
      await save(response, slug, integration);
    } catch (error) {
      if (SdkError.is(error, "install_confirmation_required")) {
        const page = renderPendingInstallPage({ providerLabel: provider.label, account_id: deps.identify(request).account_id, pending: error.details, action: `/callback/${slug}/pending` });
        response.type("html").send(page);
        return;
      }
      if (!SdkError.is(error, "atlassian_site_selection_required")) throw error;
      const { details } = error;
      response.type("html").send(
        renderSitePickerPage({ productLabel: provider.label, selection_id: details.selection_id, sites: details.sites, expires_at: details.expires_at, action: `/callback/${slug}/site-selection` }),
      );
    }
  });

  /** A form posted back to a callback's page: its slug, its fields and the browser's binding cookie. */
  function formPost(request: Request): { slug: CallbackSlug; field(name: string): string; binding: string | undefined } {
    const slug = bySlug(String(request.params.slug))[0]?.callback;
    if (!slug) throw new ServiceError("unknown_provider", 404, "This service has no callback of that name.");
    const body = (request.body ?? {}) as Record<string, unknown>;
    return { slug, field: (name) => text(body[name]) ?? "", binding: deps.cookies.read(request, slug).binding };
  }

  router.post("/callback/:slug/site-selection", async (request, response) => {
    const form = formPost(request);
    const { integration } = await deps.sdk.completeSiteSelection({
      selection_id: form.field("selection_id"),
      cloud_id: form.field("cloud_id"),
      browser_binding: form.binding,
      // The SDK checks that the user and account finishing the selection are the ones who started the install.
      ...deps.identify(request),
    });
    await save(response, form.slug, integration);
  });

  // The confirmation page's form: only here does a provider-started install become a connection, for the signed-in
  // user and their account, from this browser (the binding cookie), once.
  router.post("/callback/:slug/pending", async (request, response) => {
    const form = formPost(request);
    const { integration } = await deps.sdk.confirmPendingInstall({ pending_install_id: form.field("pending_install_id"), browser_binding: form.binding, ...deps.identify(request) });
    await save(response, form.slug, integration);
  });

  return router;
}
