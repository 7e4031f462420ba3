// Concurrent resolves of one integration in one process share one resolve (one record read), each caller gets its
// own copy, and a call never joins a resolve that started before this instance's last write or invalidation.
import { describe, expect, it } from "vitest";
import { createSDK } from "./create-sdk.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import type { Integration } from "./integration.js";
import { MemoryStore } from "./memory-store.js";
import { KEY_1 } from "../test/sdk-fixture.js";

/** The real MemoryStore; `get` counts its calls and waits for `release()` while `held` is set. */
class GatedMemoryStore extends MemoryStore {
  reads = 0;
  held = false;
  #waiting: Array<() => void> = [];
  override async get(id: string): Promise<Integration | undefined> {
    this.reads += 1;
    if (this.held) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    return super.get(id);
  }
  release(): void {
    this.held = false;
    for (const resume of this.#waiting.splice(0)) resume();
  }
}

function setup() {
  const store = new GatedMemoryStore();
  const sdk = createSDK({ store, encryption: { keys: [KEY_1] }, providers: [defineApiKeyProvider({ id: "acme-key", baseUrl: "https://api.example.test" })] });
  return { store, sdk };
}

describe("resolveConnection: one resolve in flight per integration", () => {
  it("100 concurrent calls make one record read, and every caller gets its own copy", async () => {
    const { store, sdk } = setup();
    const { id } = await sdk.createConnection({ provider: "acme-key", account_id: "acct-1", created_by: "user-1", credentials: { api_key: "key-0001" } });
    store.reads = 0;
    store.held = true;
    const calls = Array.from({ length: 100 }, () => sdk.resolveConnection(id));
    store.release();
    const runtimes = await Promise.all(calls);
    expect(store.reads).toBe(1);
    expect(new Set(runtimes).size).toBe(100);
    runtimes[0]!.headers.Authorization = "changed by one caller";
    expect(runtimes[1]!.headers.Authorization).toBe("Bearer key-0001");
    // Nothing in flight: the next call reads again.
    await sdk.resolveConnection(id);
    expect(store.reads).toBe(2);
  });

  it("a call after this instance changed the credentials does not join a resolve that started before", async () => {
    const { store, sdk } = setup();
    const { id } = await sdk.createConnection({ provider: "acme-key", account_id: "acct-1", created_by: "user-1", credentials: { api_key: "key-old-01" } });
    store.held = true;
    const before = sdk.resolveConnection(id);
    // The write reads the record too; let it (and the resolve above) through, then hold reads again.
    const update = sdk.updateCredentials(id, { api_key: "key-new-01" });
    store.release();
    await update;
    store.held = true;
    const readsBefore = store.reads;
    const after = sdk.resolveConnection(id);
    expect(store.reads).toBe(readsBefore + 1);
    store.release();
    expect((await after).api_key).toBe("key-new-01");
    expect(["key-old-01", "key-new-01"]).toContain((await before).api_key);
  });

  it("a call after invalidateConnection or deleteConnection does not join an older resolve either", async () => {
    const { store, sdk } = setup();
    const { id } = await sdk.createConnection({ provider: "acme-key", account_id: "acct-1", created_by: "user-1", credentials: { api_key: "key-0002" } });
    store.held = true;
    const first = sdk.resolveConnection(id);
    const invalidated = sdk.invalidateConnection(id);
    store.release();
    await invalidated;
    store.held = true;
    const reads = store.reads;
    const second = sdk.resolveConnection(id);
    expect(store.reads).toBe(reads + 1);
    store.release();
    await Promise.all([first, second]);

    store.held = true;
    const stale = sdk.resolveConnection(id);
    const deleted = sdk.deleteConnection(id);
    store.release();
    await deleted;
    await stale.catch(() => undefined);
    await expect(sdk.resolveConnection(id)).rejects.toMatchObject({ code: "integration_not_found" });
  });

  it("a failure is shared by the callers that joined, and the next call starts afresh", async () => {
    const { store, sdk } = setup();
    store.held = true;
    const calls = Array.from({ length: 10 }, () => sdk.resolveConnection("missing-id").catch((error: unknown) => error));
    store.release();
    const errors = await Promise.all(calls);
    expect(store.reads).toBe(1);
    expect(errors.every((error) => (error as { code?: string }).code === "integration_not_found")).toBe(true);
    await expect(sdk.resolveConnection("missing-id")).rejects.toMatchObject({ code: "integration_not_found" });
    expect(store.reads).toBe(2);
  });
});
