// Walk-through: Atlassian Jira on the local Atlassian emulator — install URL, consent on two sites, the site picker
// contract (atlassian_site_selection_required -> completeSiteSelection), save, resolve, expiry, a rotated refresh,
// sdk.fetch to the emulated Jira API, delete. Everything runs over HTTP on 127.0.0.1.
import { SdkError } from "@sdk/core";
import { atlassian } from "@sdk/provider-atlassian";
import { startAtlassianEmulator, type AtlassianEmulator } from "@sdk/provider-atlassian/testing";
import { mask } from "../trace.js";
import { describeStored } from "./show-stored.js";
import type { Step } from "./step.js";

const REDIRECT_URI = "http://localhost:3000/callback/atlassian";
let emulator: AtlassianEmulator | undefined;

export const atlassianStep: Step = {
  title: "Atlassian Jira: install, multi-site pick, resolve, refresh, fetch (Atlassian emulator)",
  proves: "the whole OAuth install, including the site picker Atlassian needs when a user grants several Jira sites, and an expired access token replaced with exactly one refresh, the rotated refresh token saved.",
  async setup(_api, clock) {
    emulator = await startAtlassianEmulator({
      clock,
      redirectUris: [REDIRECT_URI],
      sites: [
        { id: "cloud-acme", name: "acme", url: "https://acme.atlassian.net", products: ["jira", "confluence"] },
        { id: "cloud-beta", name: "beta", url: "https://beta.atlassian.net", products: ["jira"] },
      ],
    });
    return {
      providers: [atlassian({ clientId: emulator.clientId, clientSecret: emulator.clientSecret, redirectUri: REDIRECT_URI, endpoints: emulator.endpoints })],
      teardown: () => emulator!.close(),
    };
  },
  async run({ sdk, store, trace, clock }) {
    const atl = emulator!;
    const install = await sdk.buildInstallUrl({ provider: "jira", user_id: "user-demo", account_id: "acct-demo" });
    trace.step("buildInstallUrl", `${new URL(install.url).origin}/authorize?audience=…&scope=… state ${install.state.length} chars, binding cookie ${mask(install.browser_binding)}`);

    const back = new URL(await atl.consent(install.url, { sites: ["cloud-acme", "cloud-beta"] }));
    trace.step("consent (emulator)", `user ticked 2 sites, redirected with code ${mask(back.searchParams.get("code")!)}`, "in a real service this is the user's browser on auth.atlassian.com; here the emulator plays that page.");

    let callback;
    try {
      callback = await sdk.handleInstallCallback({
        provider: "jira",
        code: back.searchParams.get("code")!,
        state: back.searchParams.get("state")!,
        browser_binding: install.browser_binding,
      });
    } catch (error) {
      if (!SdkError.is(error, "atlassian_site_selection_required")) throw error;
      const sites = error.details.sites as Array<{ cloud_id: string; name: string }>;
      trace.step("handleInstallCallback", `${error.code}: ${sites.map((site) => site.name).join(", ")} (tokens parked encrypted for 10 min)`, "the state and binding were checked first; two sites were granted, so the SDK asks which one this connection is for.");
      callback = await sdk.completeSiteSelection({ selection_id: error.details.selection_id as string, cloud_id: "cloud-beta", browser_binding: install.browser_binding });
      trace.step("completeSiteSelection", `picked ${callback.integration.metadata?.site_name} (${callback.integration.metadata?.cloud_id})`);
    }
    const saved = await sdk.createConnection(callback.integration);
    trace.step("createConnection", `id ${saved.id.slice(0, 8)}…  stored: ${await describeStored(store, saved.id)}`);

    const first = await sdk.resolveConnection(saved.id);
    trace.step("resolveConnection", `${first.api_base_url}  token ${mask(first.access_token as string)} (from the callback, cached)`);

    clock.advance(3600 * 1000);
    const second = await sdk.resolveConnection(saved.id);
    trace.step("clock +1h, resolve", `refreshed once (emulator refreshes: ${atl.stats.refreshes}), new token ${mask(second.access_token as string)}, refresh token rotated and stored`, "an hour later the access token has expired: the SDK refreshed it on its own, and saved the new refresh token the provider rotated in.");

    const response = await sdk.fetch(saved.id, "/rest/api/3/myself");
    const me = (await response.json()) as { accountId?: string; displayName?: string };
    trace.step("sdk.fetch /rest/api/3/myself", `${response.status} ${me.displayName} (${me.accountId}) via the emulated api.atlassian.com gateway`);

    const deleted = await sdk.deleteConnection(saved.id, { revoke: true });
    trace.step("deleteConnection", `deleted ${deleted.deleted}; revoked ${deleted.revoked} (Atlassian 3LO has no revocation endpoint; the grant is shared by siblings)`);
  },
};
