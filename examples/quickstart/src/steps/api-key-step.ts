// Walk-through 1: an api-key connection. The key travels as `Authorization: Bearer …`, which the demo API checks.
import { randomBytes } from "node:crypto";
import { defineApiKeyProvider, SdkError } from "@sdk/core";
import { mask } from "../trace.js";
import { describeStored } from "./show-stored.js";
import type { Step } from "./step.js";

export const apiKeyStep: Step = {
  title: 'API key connection (provider "acme-api-key")',
  proves: "an API key is stored encrypted, the SDK adds it to every call so your code never handles it, and a new key replaces the old one in one call.",
  setup: (api) => ({ providers: [defineApiKeyProvider({ id: "acme-api-key", baseUrl: api.url })] }),
  async run({ sdk, store, api, trace }) {
    const firstKey = `acme_sk_${randomBytes(12).toString("hex")}`;
    api.grant("acct-demo (api key)", { authorization: `Bearer ${firstKey}` });
    const saved = await sdk.createConnection({ provider: "acme-api-key", account_id: "acct-demo", created_by: "user-demo", credentials: { api_key: firstKey } });
    trace.step("createConnection", `id ${saved.id.slice(0, 8)}…  status ${saved.status}  stored: ${await describeStored(store, saved.id)}`, "the store holds ciphertext: a leaked database dump does not leak the key.");

    const runtime = await sdk.resolveConnection(saved.id);
    trace.step("resolveConnection", `Authorization: Bearer ${mask(String(runtime.api_key))} (no network call)`);

    const response = await sdk.fetch(saved.id, "/v1/whoami");
    trace.step("sdk.fetch /v1/whoami", `${response.status} ${JSON.stringify(await response.json())}`, "the demo API checked the key on the wire and knew who was calling.");

    const secondKey = `acme_sk_${randomBytes(12).toString("hex")}`;
    api.revoke("acct-demo (api key)");
    api.grant("acct-demo (rotated api key)", { authorization: `Bearer ${secondKey}` });
    const updated = await sdk.updateCredentials(saved.id, { api_key: secondKey });
    const after = await sdk.fetch(saved.id, "/v1/whoami");
    trace.step("updateCredentials", `key ${mask(firstKey)} -> ${mask(secondKey)}, version ${updated.version}, fetch -> ${after.status} ${JSON.stringify(await after.json())}`);

    const deleted = await sdk.deleteConnection(saved.id);
    const gone = await sdk.resolveConnection(saved.id).then(
      () => "still there",
      (error: unknown) => (SdkError.is(error) ? error.code : "unexpected error"),
    );
    trace.step("deleteConnection", `deleted ${deleted.deleted}; resolveConnection now -> ${gone}`);
  },
};
