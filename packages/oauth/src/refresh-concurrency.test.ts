import { createSDK, type MemoryCache } from "@sdk/core";
import { defineOAuthProvider } from "./define-oauth-provider.js";
import { afterEach, describe, expect, it } from "vitest";
import { ENCRYPTION, STATE_SECRETS, startHarness, type Harness } from "../test/harness.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("one refresh per expiry", () => {
  it("500 concurrent resolves of one expired token in one process make exactly one token call", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await h.install();
    h.clock.advance(3600 * 1000);
    h.server.fault("token", { kind: "delay", ms: 50 }, 1);
    const runtimes = await Promise.all(Array.from({ length: 500 }, () => h.sdk.resolveConnection(integrationId)));
    expect(h.server.stats.refreshes).toBe(1);
    expect(new Set(runtimes.map((runtime) => runtime.access_token)).size).toBe(1);
  });

  it("500 resolves spread over 5 SDK instances sharing one store and cache make exactly one token call, for 5 expiries in a row", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await h.install();
    const instances = Array.from({ length: 5 }, () =>
      createSDK({ store: h.store, cache: h.cache, now: h.clock.now, state: { secrets: STATE_SECRETS }, encryption: ENCRYPTION, providers: [defineAgain(h)] }),
    );
    for (let expiry = 1; expiry <= 5; expiry++) {
      h.clock.advance(3600 * 1000);
      h.server.fault("token", { kind: "delay", ms: 30 }, 1);
      const runtimes = await Promise.all(instances.flatMap((sdk) => Array.from({ length: 100 }, () => sdk.resolveConnection(integrationId))));
      expect(h.server.stats.refreshes).toBe(expiry);
      expect(new Set(runtimes.map((runtime) => runtime.access_token)).size).toBe(1);
    }
    expect(h.server.stats.reuseDetected).toBe(0);
  });

  it("the lock is released after a failure so the next caller refreshes", async () => {
    const h = (harness = await startHarness({ provider: { retry: { attempts: 1 } } }));
    const { integrationId } = await h.install();
    h.clock.advance(3600 * 1000);
    h.server.fault("token", { kind: "status", status: 500 }, 1);
    await expect(h.sdk.resolveConnection(integrationId)).rejects.toMatchObject({ code: "provider_unavailable" });
    h.clock.advance(5000);
    await expect(h.sdk.resolveConnection(integrationId)).resolves.toMatchObject({ integration_id: integrationId });
    expect(h.server.stats.refreshes).toBe(1);
  });

  it("works without waitFor (polling) as well", async () => {
    const h = (harness = await startHarness());
    const { integrationId } = await h.install();
    const memory = h.cache as MemoryCache;
    const polling = {
      get: memory.get.bind(memory),
      set: memory.set.bind(memory),
      delete: memory.delete.bind(memory),
      setIfAbsent: memory.setIfAbsent.bind(memory),
      deleteIfEquals: memory.deleteIfEquals.bind(memory),
    };
    const instances = Array.from({ length: 3 }, () =>
      createSDK({ store: h.store, cache: polling, now: h.clock.now, state: { secrets: STATE_SECRETS }, encryption: ENCRYPTION, providers: [defineAgain(h)] }),
    );
    h.clock.advance(3600 * 1000);
    h.server.fault("token", { kind: "delay", ms: 50 }, 1);
    await Promise.all(instances.flatMap((sdk) => Array.from({ length: 50 }, () => sdk.resolveConnection(integrationId))));
    expect(h.server.stats.refreshes).toBe(1);
  });
});

/** A separate provider object per SDK instance (its own in-process single flight), as separate processes would have. */
function defineAgain(h: Harness) {
  return defineOAuthProvider(h.providerOptions);
}
