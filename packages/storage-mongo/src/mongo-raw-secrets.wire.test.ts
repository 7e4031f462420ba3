// The planted-secret scan over what MongoStore sends to the server (issue #14): connections with planted credentials
// are created through the SDK into a MongoStore on MongoDB's wire-protocol mock (test/wire-mock.py), and every
// command the real driver put on the wire is searched for them. MongoDB itself cannot run here; the mock records the
// exact documents a server would have stored.
import { createSDK, defineApiKeyProvider, defineBasicProvider } from "@sdk/core";
import { testEncryptionKey } from "@sdk/core/testing";
import { BSON, MongoClient } from "mongodb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startWireMock, wireMockSkipReason, type WireMock } from "../test/wire-mock.js";
import { MongoStore } from "./mongo-store.js";

const PLANTED = { apiKey: "PLANTED-mongo-api-key-5f1c9a7e", password: "PLANTED-mongo-password-c0ffee42" };

describe.skipIf(wireMockSkipReason !== undefined)(`no planted secret in any document sent to MongoDB${wireMockSkipReason ? ` (skipped: ${wireMockSkipReason})` : ""}`, () => {
  let mock: WireMock;
  let client: MongoClient;
  beforeEach(async () => {
    mock = await startWireMock();
    client = await new MongoClient(mock.url).connect();
  });
  afterEach(async () => {
    await client.close();
    await mock.stop();
  });

  it("creates api-key and basic connections with only ciphertext on the wire", async () => {
    const key = testEncryptionKey();
    const sdk = createSDK({
      store: new MongoStore(client.db().collection("fresh"), { createIndexes: false }),
      encryption: { keys: [key] },
      providers: [defineApiKeyProvider({ id: "scan-key" }), defineBasicProvider({ id: "scan-basic" })],
    });
    await sdk.createConnection({ provider: "scan-key", account_id: "acct-1", created_by: "user-1", credentials: { api_key: PLANTED.apiKey } });
    await sdk.createConnection({ provider: "scan-basic", account_id: "acct-1", created_by: "user-1", credentials: { username: "scan-user", password: PLANTED.password } });

    const inserts = mock.commands().filter((entry) => entry.command === "insert");
    // The scan must see both documents, credentials included, or it proves nothing.
    expect(inserts).toHaveLength(2);
    for (const insert of inserts) expect(JSON.stringify(insert.body.documents[0].credentials).length).toBeGreaterThan(40);
    const wire = mock.commands().map((entry) => BSON.EJSON.stringify(entry.body)).join("\n");
    for (const secret of [...Object.values(PLANTED), key.key]) expect(wire).not.toContain(secret);
  });
});
