// Provider ids and runtimes typed from what createSDK registered, SdkError details per code, and inputs that take
// `string | null` as URLSearchParams.get gives it. Checked by `tsc` (the package's typecheck, part of `pnpm test`)
// and run by vitest, so each case is also a call that works.
import { createSDK, SdkError, type Runtime } from "@sdk/core";
import { defineOAuthProvider } from "@sdk/oauth";
import { sentry } from "@sdk/provider-sentry";
import type { AtlassianRuntime } from "@sdk/provider-atlassian";
import type { SentryRuntime } from "@sdk/provider-sentry";
import type { SlackRuntime } from "@sdk/provider-slack";
import { describe, expect, expectTypeOf, it } from "vitest";
import { dynamicSdk, options, sdkWithSentry, typedSdk } from "./typed-sdk.js";

// What `sdk.resolveConnection(id)` returns without a type argument (ReturnType<> would see the generic's constraint).
const typedResolve = (id: string) => typedSdk().resolveConnection(id);
const sentryResolve = (id: string) => sdkWithSentry().resolveConnection(id);
const dynamicResolve = (id: string) => dynamicSdk([]).resolveConnection(id);

describe("provider ids and runtimes typed from createSDK({ providers })", () => {
  it("knows the registered ids, at compile time and at run time", () => {
    const sdk = typedSdk();
    expectTypeOf(sdk.providerIds).toEqualTypeOf<("slack" | "jira" | "jsm" | "confluence")[]>();
    expectTypeOf<Parameters<typeof sdk.buildInstallUrl>[0]["provider"]>().toEqualTypeOf<"slack" | "jira" | "jsm" | "confluence">();
    expect(sdk.providerIds).toEqual(["slack", "jira", "jsm", "confluence"]);
  });

  it("rejects an id that is not registered", async () => {
    const sdk = typedSdk();
    // @ts-expect-error "slakc" is not a registered provider id
    const call = sdk.buildInstallUrl({ provider: "slakc", user_id: "user-1", account_id: "acct-1" });
    await expect(call).rejects.toMatchObject({ code: "provider_not_found", details: { registered: ["slack", "jira", "jsm", "confluence"] } });
  });

  it("resolveConnection returns a union discriminated by provider, narrowed by a check", () => {
    type Resolved = Awaited<ReturnType<typeof typedResolve>>;
    expectTypeOf<Resolved["provider"]>().toEqualTypeOf<"slack" | "jira" | "jsm" | "confluence">();
    const use = (runtime: Resolved) => {
      if (runtime.provider === "slack") {
        expectTypeOf(runtime).toExtend<SlackRuntime>();
        expectTypeOf(runtime.bot_token).toEqualTypeOf<string | null>();
        return runtime.team_id;
      }
      expectTypeOf(runtime).toExtend<AtlassianRuntime>();
      expectTypeOf(runtime.provider).toEqualTypeOf<"jira" | "jsm" | "confluence">();
      expectTypeOf(runtime.cloud_id).toEqualTypeOf<string>();
      return runtime.cloud_id;
    };
    expect(use({ provider: "jira", cloud_id: "c1" } as unknown as Resolved)).toBe("c1");
  });

  it("a provider id option types the provider (sentry)", () => {
    const sdk = sdkWithSentry();
    expectTypeOf<Awaited<ReturnType<typeof sentryResolve>>>().toExtend<SentryRuntime>();
    expectTypeOf(sdk.providerIds).toEqualTypeOf<"sentry"[]>();
    expect(sdk.providerIds).toEqual(["sentry"]);
  });

  it("a custom id and a generic OAuth provider's runtime hook type the SDK too", () => {
    const sdk = createSDK({
      ...options,
      providers: [
        sentry({ id: "sentry-eu", slug: "acme-app", clientId: "sentry-client", clientSecret: "sentry-secret", host: "de.sentry.io" }),
        defineOAuthProvider({
          id: "acme",
          client: { clientId: "acme-client", clientSecret: "acme-secret", redirectUri: "https://app.example.com/acme/oauth" },
          endpoints: { authorizeUrl: "https://auth.acme.example/authorize", tokenUrl: "https://auth.acme.example/token" },
          hooks: { runtime: (_integration, tokens) => ({ acme_token: tokens[""]!.access_token, headers: { "X-Acme-Token": tokens[""]!.access_token } }) },
        }),
        defineOAuthProvider({
          id: "globex",
          client: { clientId: "g", clientSecret: "g-secret", redirectUri: "https://app.example.com/g" },
          endpoints: { authorizeUrl: "https://g.example/a", tokenUrl: "https://g.example/t" },
        }),
      ],
    });
    expectTypeOf(sdk.providerIds).toEqualTypeOf<("sentry-eu" | "acme" | "globex")[]>();
    const resolve = (id: string) => sdk.resolveConnection(id);
    const use = (runtime: Awaited<ReturnType<typeof resolve>>) => {
      if (runtime.provider === "acme") return runtime.acme_token;
      if (runtime.provider === "globex") return runtime.access_token satisfies string;
      return runtime.org_slug satisfies string;
    };
    expect(use({ provider: "acme", acme_token: "t" } as unknown as Parameters<typeof use>[0])).toBe("t");
    expect(sdk.providerIds).toEqual(["sentry-eu", "acme", "globex"]);
  });

  it("keeps the untyped path for providers registered dynamically", async () => {
    const sdk = dynamicSdk(["acme", "globex"]);
    expectTypeOf(sdk.providerIds).toEqualTypeOf<string[]>();
    expectTypeOf<Awaited<ReturnType<typeof dynamicResolve>>>().toExtend<Runtime>();
    const saved = await sdk.createConnection({ provider: "acme", account_id: "acct-1", created_by: "user-1", credentials: { api_key: "key-123456" } });
    const runtime = await sdk.resolveConnection(saved.id);
    expectTypeOf(runtime.provider).toEqualTypeOf<string>();
    expect(runtime.provider).toBe("acme");
    // The explicit type argument still works where a caller knows better.
    expectTypeOf(await sdk.resolveConnection<Runtime & { api_key: string }>(saved.id)).toHaveProperty("api_key");
  });
});

describe("SdkError details typed per code", () => {
  it("narrows details after SdkError.is with a code", async () => {
    const sdk = typedSdk();
    const error: unknown = await sdk.resolveConnection("missing-id").catch((caught: unknown) => caught);
    if (SdkError.is(error, "provider_not_found")) {
      expectTypeOf(error.details.registered).toEqualTypeOf<string[] | undefined>();
      expectTypeOf(error.details.provider).toEqualTypeOf<string>();
    }
    if (SdkError.is(error, "atlassian_site_selection_required")) {
      // Imported @sdk/provider-atlassian contributes the code and its details.
      expectTypeOf(error.details.selection_id).toEqualTypeOf<string>();
      expectTypeOf(error.details.expires_at).toEqualTypeOf<string>();
    }
    expect(SdkError.is(error, "integration_not_found")).toBe(true);
  });
});

describe("inputs as web frameworks hand them over", () => {
  it("accepts string | null from URLSearchParams.get, null meaning absent", async () => {
    const sdk = typedSdk();
    const query = new URLSearchParams("code=abc");
    expectTypeOf(query.get("state")).toEqualTypeOf<string | null>();
    const call = sdk.handleInstallCallback({ provider: "slack", code: query.get("code"), state: query.get("state"), browser_binding: query.get("nope") });
    await expect(call).rejects.toMatchObject({ code: "state_missing" });
  });

  it("accepts the whole query, and the result's provider keeps its literal type", async () => {
    const sdk = typedSdk();
    const call = sdk.handleInstallCallback({ provider: "jira", query: new URL("https://app.example.com/cb?code=abc"), browser_binding: null });
    expectTypeOf(call).resolves.toHaveProperty("integration").toHaveProperty("provider").toEqualTypeOf<"jira">();
    await expect(call).rejects.toMatchObject({ code: "state_missing" });
  });
});
