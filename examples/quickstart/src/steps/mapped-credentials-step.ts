// Walk-through 2: mapped credentials. The caller declares the credential shape (zod) and how it maps to headers;
// here a key id + secret pair sent as two headers, the way many internal APIs authenticate.
import { randomBytes } from "node:crypto";
import { defineMappedCredentialsProvider, SdkError } from "@sdk/core";
import { z } from "zod";
import { mask } from "../trace.js";
import { describeStored } from "./show-stored.js";
import type { Step } from "./step.js";

const credentialsSchema = z.strictObject({
  key_id: z.string().regex(/^[\w-]{3,64}$/),
  key_secret: z.string().regex(/^[\x21-\x7e]{16,256}$/),
});

export const mappedCredentialsStep: Step = {
  title: 'Mapped credentials connection (provider "acme-signing")',
  proves: "any credential shape (here a key id and a secret sent as two headers) is checked against your schema; saving the same customer key again updates the connection instead of adding a second one; credentials are never sent to another host.",
  setup: (api) => ({
    providers: [
      defineMappedCredentialsProvider({
        id: "acme-signing",
        baseUrl: api.url,
        schema: credentialsSchema,
        map: (credentials) => ({ key_id: credentials.key_id, headers: { "X-Acme-Key-Id": credentials.key_id, "X-Acme-Key-Secret": credentials.key_secret } }),
        // One connection per key id: installing the same key id again updates it in place.
        naturalKey: ({ credentials }) => (typeof credentials.key_id === "string" ? credentials.key_id : null),
      }),
    ],
  }),
  async run({ sdk, store, api, trace }) {
    const secret = randomBytes(18).toString("base64url");
    api.grant("acct-demo (signing key)", { "x-acme-key-id": "key-demo-1", "x-acme-key-secret": secret });
    const draft = { provider: "acme-signing", account_id: "acct-demo", created_by: "user-demo", credentials: { key_id: "key-demo-1", key_secret: secret } };
    const saved = await sdk.createConnection(draft);
    trace.step("createConnection", `id ${saved.id.slice(0, 8)}…  natural key ${saved.natural_key}  stored: ${await describeStored(store, saved.id)}`);

    const again = await sdk.createConnection(draft);
    trace.step("createConnection again", `same id: ${again.id === saved.id} (upsert on the natural key), version ${again.version}`);

    const runtime = await sdk.resolveConnection(saved.id);
    trace.step("resolveConnection", `X-Acme-Key-Id: ${runtime.headers["X-Acme-Key-Id"]}  X-Acme-Key-Secret: ${mask(secret)}`);

    const response = await sdk.fetch(saved.id, "/v1/reports?limit=1");
    trace.step("sdk.fetch /v1/reports", `${response.status} ${JSON.stringify(await response.json())}`);

    const refused = await sdk.fetch(saved.id, "https://elsewhere.example/collect").then(
      () => "sent (unexpected)",
      (error: unknown) => (SdkError.is(error) ? `${error.code}: credentials never leave ${api.url}` : "unexpected error"),
    );
    trace.step("sdk.fetch other origin", refused, "a call to a URL outside the provider's base URL is refused before anything is sent.");

    const listed = await sdk.listConnections({ account_id: "acct-demo" });
    const deleted = await sdk.deleteConnection(saved.id);
    trace.step("deleteConnection", `deleted ${deleted.deleted}; listConnections had ${listed.length} (fields only: ${listed[0]?.credential_fields.join(", ")})`);
  },
};
