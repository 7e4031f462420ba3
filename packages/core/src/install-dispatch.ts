// The install and webhook entry points of the SDK: each parses its input, finds the provider it names (by id, or by
// the prefix of an id the SDK handed out) and hands over to that provider's hook, or answers
// `unsupported_operation` when the provider has none. Nothing here is persisted: drafts go to `createConnection`.
import { mergeCallbackQuery, withoutNulls } from "./callback-query.js";
import { parseInput } from "./parse-input.js";
import type {
  ConfirmPendingInstallInput,
  InstallCallbackResult,
  InstallUrlResult,
  PendingInstall,
  PendingInstallLookup,
  ProviderContext,
  ProviderDefinition,
  WebhookInput,
  WebhookResult,
} from "./provider.js";
import { unsupported, type ProviderRegistry } from "./provider-registry.js";
import type { BuildInstallUrlInput, CompleteSiteSelectionInput, HandleInstallCallbackInput } from "./sdk-inputs.js";
import { callbackSchema, confirmPendingSchema, installUrlSchema, pendingLookupSchema, siteSelectionSchema, webhookSchema } from "./sdk-input-schemas.js";

export class InstallDispatch {
  readonly #context: ProviderContext;
  readonly #providers: ProviderRegistry;

  constructor(context: ProviderContext, providers: ProviderRegistry) {
    this.#context = context;
    this.#providers = providers;
  }

  async buildInstallUrl(input: BuildInstallUrlInput): Promise<InstallUrlResult> {
    const parsed = parseInput(installUrlSchema(), withoutNulls(input), "buildInstallUrl");
    const provider = this.#providers.get(parsed.provider, "buildInstallUrl.provider");
    if (!provider.buildInstallUrl) unsupported(provider, "buildInstallUrl");
    return provider.buildInstallUrl(this.#context, parsed);
  }

  async handleInstallCallback(input: HandleInstallCallbackInput): Promise<InstallCallbackResult> {
    const fields = typeof input === "object" && input !== null ? mergeCallbackQuery(input, "handleInstallCallback") : input;
    const parsed = parseInput(callbackSchema(), fields, "handleInstallCallback");
    const provider = this.#providers.get(parsed.provider, "handleInstallCallback.provider");
    if (!provider.handleInstallCallback) unsupported(provider, "handleInstallCallback");
    return provider.handleInstallCallback(this.#context, parsed);
  }

  async completeSiteSelection(input: CompleteSiteSelectionInput): Promise<InstallCallbackResult> {
    const parsed = parseInput(siteSelectionSchema(), withoutNulls(input), "completeSiteSelection");
    const provider = this.#providers.forPrefixedId(parsed.selection_id, "completeSiteSelection.selection_id");
    if (!provider.completeSiteSelection) unsupported(provider, "completeSiteSelection");
    return provider.completeSiteSelection(this.#context, parsed);
  }

  async getPendingInstall(input: PendingInstallLookup): Promise<PendingInstall> {
    const parsed = parseInput(pendingLookupSchema(), input, "getPendingInstall");
    const provider = this.#pendingProvider(parsed.pending_install_id, "getPendingInstall.pending_install_id");
    return provider.getPendingInstall!(this.#context, parsed);
  }

  async confirmPendingInstall(input: ConfirmPendingInstallInput): Promise<InstallCallbackResult> {
    const parsed = parseInput(confirmPendingSchema(), input, "confirmPendingInstall");
    const provider = this.#pendingProvider(parsed.pending_install_id, "confirmPendingInstall.pending_install_id");
    return provider.confirmPendingInstall!(this.#context, parsed);
  }

  async handleWebhook(input: WebhookInput): Promise<WebhookResult> {
    const parsed = parseInput(webhookSchema(), input, "handleWebhook");
    const provider = this.#providers.get(parsed.provider, "handleWebhook.provider");
    if (!provider.handleWebhook) unsupported(provider, "handleWebhook");
    return provider.handleWebhook(this.#context, parsed as WebhookInput);
  }

  #pendingProvider(pendingInstallId: string, field: string): ProviderDefinition {
    const provider = this.#providers.forPrefixedId(pendingInstallId, field);
    if (!provider.getPendingInstall || !provider.confirmPendingInstall) unsupported(provider, "pending installs");
    return provider;
  }
}
