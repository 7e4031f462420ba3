// The SDK the type tests talk about: Slack, the three Atlassian products, Sentry and a dynamically registered
// provider. Real factories with valid options, so the tests can also call it.
import { createSDK, defineApiKeyProvider, MemoryCache, MemoryStore, type ProviderDefinition } from "@sdk/core";
import { atlassian } from "@sdk/provider-atlassian";
import { sentry } from "@sdk/provider-sentry";
import { slack } from "@sdk/provider-slack";

export const options = {
  store: new MemoryStore(),
  cache: new MemoryCache(),
  state: { secrets: [{ id: "s1", secret: "s".repeat(32) }] },
  encryption: { keys: [{ id: "k1", key: Buffer.alloc(32, 7).toString("base64") }] },
};

export function typedSdk() {
  return createSDK({
    ...options,
    providers: [
      slack({ clientId: "slack-client", clientSecret: "slack-secret", redirectUri: "https://app.example.com/slack/oauth", scopes: ["chat:write"] }),
      atlassian({ clientId: "atlassian-client", clientSecret: "atlassian-secret", redirectUri: "https://app.example.com/atlassian/oauth" }),
    ],
  });
}

export function sdkWithSentry() {
  return createSDK({ ...options, providers: [sentry({ slug: "acme-app", clientId: "sentry-client", clientSecret: "sentry-secret" })] });
}

/** Providers known only at run time (read from configuration): ids are plain strings. */
export function dynamicSdk(ids: string[]) {
  const providers: ProviderDefinition[] = ids.map((id) => defineApiKeyProvider({ id, baseUrl: `https://${id}.example.com` }));
  return createSDK({ ...options, providers });
}
