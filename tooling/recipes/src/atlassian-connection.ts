// One Atlassian connection (Jira or Confluence) made through the SDK against the emulator, on an SDK whose clock can
// run behind Atlassian's: with `skew`, the SDK still serves a cached token that Atlassian has already expired, which
// is how a real service meets a 401 (clock drift, a token revoked early) and what the clients' on-401 hooks are for.
import { randomBytes } from "node:crypto";
import { createSDK, MemoryCache, MemoryStore, type SDK } from "@sdk/core";
import { atlassian } from "@sdk/provider-atlassian";
import { startAtlassianEmulator, type AtlassianEmulator } from "@sdk/provider-atlassian/testing";

const REDIRECT_URI = "http://localhost:3000/atlassian/callback";

export interface AtlassianConnection {
  emulator: AtlassianEmulator;
  sdk: SDK;
  id: string;
  /** `runtime.api_base_url`: `https://api.atlassian.com/ex/{jira|confluence}/{cloudId}` in production. */
  apiBaseUrl: string;
  /** How far the SDK's clock runs behind Atlassian's, in ms. @default 0 */
  skew: { ms: number };
  close(): Promise<void>;
}

export async function atlassianConnection(product: "jira" | "confluence"): Promise<AtlassianConnection> {
  const emulator = await startAtlassianEmulator({ redirectUris: [REDIRECT_URI] });
  const skew = { ms: 0 };
  const now = () => emulator.clock.now() - skew.ms;
  const sdk = createSDK({
    store: new MemoryStore(),
    cache: new MemoryCache({ now }),
    now,
    state: { secrets: [{ id: "recipes", secret: randomBytes(32).toString("base64") }] },
    encryption: { keys: [{ id: "recipes", key: randomBytes(32).toString("base64") }] },
    providers: [atlassian({ clientId: emulator.clientId, clientSecret: emulator.clientSecret, redirectUri: REDIRECT_URI, endpoints: emulator.endpoints })],
  });
  const install = await sdk.buildInstallUrl({ provider: product, user_id: "user-1", account_id: "acct-1" });
  const back = new URL(await emulator.consent(install.url));
  const callback = await sdk.handleInstallCallback({
    provider: product,
    code: back.searchParams.get("code") ?? undefined,
    state: back.searchParams.get("state") ?? undefined,
    browser_binding: install.browser_binding,
  });
  const saved = await sdk.createConnection(callback.integration);
  const runtime = await sdk.resolveConnection(saved.id);
  return { emulator, sdk, id: saved.id, apiBaseUrl: runtime.api_base_url!, skew, close: () => emulator.close() };
}

/** Lets the access token expire at Atlassian while the SDK, its clock `behindMs` late, still holds it as valid. */
export function expireAtAtlassianOnly(connection: AtlassianConnection, behindMs = 10 * 60_000): void {
  connection.skew.ms = behindMs;
  connection.emulator.clock.advance(60 * 60_000 + behindMs / 2);
}
