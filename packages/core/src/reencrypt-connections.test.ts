// sdk.reencryptConnections on MemoryStore: every record moves to the primary key, the old key can then be removed,
// concurrent writers win over the sweep, two sweeps at once do each record once, abort + cursor resume.
import { describe, expect, it } from "vitest";
import { createSDK } from "./create-sdk.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import type { EncryptionKey } from "./credential-cipher.js";
import type { IntegrationPatch } from "./integration.js";
import { MemoryStore } from "./memory-store.js";
import type { PersistentStore, UpdateOptions } from "./persistent-store.js";
import type { ReencryptProgress } from "./reencrypt-connections.js";
import { testEncryptionKey } from "./test-encryption-key.js";

const provider = defineApiKeyProvider({ id: "rotkey", baseUrl: "https://api.example.test" });
const sdkWith = (store: PersistentStore, keys: EncryptionKey[]) => createSDK({ store, providers: [provider], encryption: { keys } });
const [oldKey, newKey] = [testEncryptionKey("k-old"), testEncryptionKey("k-new")];

async function fleetUnder(store: MemoryStore, count: number): Promise<Map<string, string>> {
  const sdk = sdkWith(store, [oldKey]);
  const secrets = new Map<string, string>();
  for (let index = 0; index < count; index++) {
    const secret = `rot-secret-${index}-${Math.random().toString(36).slice(2)}`;
    secrets.set((await sdk.createConnection({ provider: "rotkey", account_id: `acct-${index % 4}`, created_by: "u", credentials: { api_key: secret } })).id, secret);
  }
  return secrets;
}

const kids = async (store: MemoryStore, ids: Iterable<string>) => {
  const found = new Set<string>();
  for (const id of ids) found.add(((await store.get(id))!.credentials.api_key as { kid: string }).kid);
  return [...found];
};

describe("sdk.reencryptConnections", () => {
  it("moves every record to the primary key; afterwards the old key is removed and every record still resolves", async () => {
    const store = new MemoryStore();
    const secrets = await fleetUnder(store, 23);
    const progress: ReencryptProgress[] = [];
    const result = await sdkWith(store, [newKey, oldKey]).reencryptConnections({ limit: 5, onProgress: (step) => progress.push(step) });
    expect(result).toMatchObject({ done: 23, skipped: 0, failed: 0, total: 23, cursor: null });
    expect(progress.length).toBe(5);
    expect(progress.map((step) => step.total)).toEqual([5, 10, 15, 20, 23]);
    expect(progress.at(-1)!.cursor).toBeNull();
    expect(JSON.stringify(progress)).not.toContain("rot-secret");
    expect(await kids(store, secrets.keys())).toEqual(["k-new"]);

    const withoutOldKey = sdkWith(store, [newKey]);
    for (const [id, secret] of secrets) expect((await withoutOldKey.resolveConnection(id)).api_key).toBe(secret);
    // A second run finds nothing to do.
    expect(await withoutOldKey.reencryptConnections()).toMatchObject({ done: 0, skipped: 23, failed: 0 });
  });

  it("lets a concurrent writer win: the record is read again and re-encrypted with the writer's credentials", async () => {
    const inner = new MemoryStore();
    const secrets = await fleetUnder(inner, 3);
    const [target] = secrets.keys();
    const writer = sdkWith(inner, [newKey, oldKey]);
    let raced = false;
    // Just before the sweep's first write, another process updates the credentials (a refresh storing a rotated token).
    const store: PersistentStore = {
      get: (id) => inner.get(id),
      create: (record) => inner.create(record),
      delete: (id) => inner.delete(id),
      list: (filter) => inner.list(filter),
      scan: (query) => inner.scan(query),
      update: async (id: string, patch: IntegrationPatch, options: UpdateOptions) => {
        if (!raced && id === target) {
          raced = true;
          await writer.updateCredentials(target!, { api_key: "rot-secret-written-meanwhile" });
        }
        return inner.update(id, patch, options);
      },
    };
    const result = await sdkWith(store, [newKey, oldKey]).reencryptConnections();
    expect(raced).toBe(true);
    expect(result.failed).toBe(0);
    expect((await sdkWith(inner, [newKey]).resolveConnection(target!)).api_key).toBe("rot-secret-written-meanwhile");
    expect(await kids(inner, secrets.keys())).toEqual(["k-new"]);
  });

  it("two sweeps at once re-encrypt each record once between them", async () => {
    const store = new MemoryStore();
    const secrets = await fleetUnder(store, 40);
    const [first, second] = await Promise.all([sdkWith(store, [newKey, oldKey]).reencryptConnections({ limit: 7 }), sdkWith(store, [newKey, oldKey]).reencryptConnections({ limit: 9 })]);
    expect(first.done + second.done).toBe(40);
    expect(first.failed + second.failed).toBe(0);
    expect(await kids(store, secrets.keys())).toEqual(["k-new"]);
  });

  it("stops when aborted and resumes from the cursor it handed back, each record once", async () => {
    const store = new MemoryStore();
    const secrets = await fleetUnder(store, 30);
    const controller = new AbortController();
    const sdk = sdkWith(store, [newKey, oldKey]);
    const stopped = await sdk.reencryptConnections({ limit: 10, signal: controller.signal, onProgress: (step) => step.total >= 20 && controller.abort() });
    expect(stopped).toMatchObject({ done: 20, total: 20 });
    expect(stopped.cursor).not.toBeNull();
    const resumed = await sdk.reencryptConnections({ cursor: stopped.cursor!, limit: 10 });
    expect(resumed).toMatchObject({ done: 10, total: 10, skipped: 0, cursor: null });
    expect(await kids(store, secrets.keys())).toEqual(["k-new"]);
  });

  it("counts a record whose key is gone as failed (decryption_failed), names no secret, and goes on", async () => {
    const store = new MemoryStore();
    const secrets = await fleetUnder(store, 4);
    const lost = testEncryptionKey("k-lost");
    const orphan = (await sdkWith(store, [lost]).createConnection({ provider: "rotkey", account_id: "acct-x", created_by: "u", credentials: { api_key: "rot-secret-orphan" } })).id;
    const result = await sdkWith(store, [newKey, oldKey]).reencryptConnections();
    expect(result).toMatchObject({ done: 4, failed: 1, failures: { decryption_failed: 1 } });
    expect(await kids(store, secrets.keys())).toEqual(["k-new"]);
    expect(await kids(store, [orphan])).toEqual(["k-lost"]);
  });
});
