// The SDK most core tests start from: the embedded stores on a controllable clock, an encryption key ring, a
// recording logger, every event collected, and one provider of each strategy (api-key, basic, mapped, fake OAuth).
import { z } from "zod";
import { createSDK, type SDK } from "../src/create-sdk.js";
import type { EncryptionKey } from "../src/credential-cipher.js";
import { defineApiKeyProvider } from "../src/define-api-key-provider.js";
import { defineBasicProvider } from "../src/define-basic-provider.js";
import { defineMappedCredentialsProvider } from "../src/define-mapped-credentials-provider.js";
import { MemoryCache } from "../src/memory-cache.js";
import { MemoryStore } from "../src/memory-store.js";
import type { ProviderInput } from "../src/provider.js";
import { SDK_EVENT_NAMES, type SdkEventName } from "../src/sdk-events.js";
import type { SdkOptions } from "../src/sdk-options.js";
import { fakeOAuthProvider, type FakeOAuthProvider } from "./fake-oauth-provider.js";
import { recordingLogger, type RecordingLogger } from "./recording-logger.js";

export const KEY_1: EncryptionKey = { id: "k1", key: Buffer.alloc(32, 1).toString("base64") };
export const KEY_2: EncryptionKey = { id: "k2", key: Buffer.alloc(32, 2).toString("base64") };
export const STATE_SECRETS = [{ id: "s1", secret: "state-secret-0123456789abcdef0123456789" }];

/** The real MemoryCache, counting writes so a test can prove that a rejected call wrote nothing to the cache. */
export class CountingMemoryCache extends MemoryCache {
  writes = 0;
  override async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.writes += 1;
    return super.set(key, value, ttlMs);
  }
  override async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    this.writes += 1;
    return super.setIfAbsent(key, value, ttlMs);
  }
  override async delete(key: string): Promise<void> {
    this.writes += 1;
    return super.delete(key);
  }
  override async deleteIfEquals(key: string, value: string): Promise<boolean> {
    this.writes += 1;
    return super.deleteIfEquals(key, value);
  }
}

export interface SdkFixture {
  sdk: SDK;
  store: MemoryStore;
  cache: CountingMemoryCache;
  logger: RecordingLogger;
  oauth: FakeOAuthProvider;
  events: Array<{ name: SdkEventName; payload: unknown }>;
  clock: { now: number; advance(ms: number): void };
  /** Everything the stores hold, as JSON: compare two snapshots to prove nothing was written. */
  snapshot(): Promise<string>;
}

export interface SdkFixtureOptions {
  /** Base URL for every provider's `sdk.fetch` (the local API server). */
  apiBaseUrl?: string;
  keys?: EncryptionKey[];
  store?: MemoryStore;
  providers?: ProviderInput[];
  extra?: Partial<SdkOptions>;
}

/** The mapped-credentials provider of the fixture: a key id + secret pair sent as two headers. */
export function mappedProvider(id: string, baseUrl?: string) {
  return defineMappedCredentialsProvider({
    id,
    ...(baseUrl ? { baseUrl } : {}),
    schema: z.strictObject({ key_id: z.string().min(1).max(64).regex(/^[\w-]+$/), key_secret: z.string().min(8).max(512).regex(/^[\x21-\x7e]+$/) }),
    map: (credentials) => ({ key_id: credentials.key_id, headers: { "X-Key-Id": credentials.key_id, "X-Key-Secret": credentials.key_secret } }),
    naturalKey: ({ credentials }) => (typeof credentials.key_id === "string" ? credentials.key_id : null),
  });
}

export function sdkFixture(options: SdkFixtureOptions = {}): SdkFixture {
  const clock = {
    now: Date.UTC(2026, 10, 1, 12, 0, 0),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const now = () => clock.now;
  const store = options.store ?? new MemoryStore();
  const cache = new CountingMemoryCache({ now });
  const logger = recordingLogger();
  const oauth = fakeOAuthProvider(options.apiBaseUrl ? { apiBaseUrl: options.apiBaseUrl } : {});
  const base = options.apiBaseUrl ? { baseUrl: options.apiBaseUrl } : {};
  const providers = options.providers ?? [
    defineApiKeyProvider({ id: "acme-key", ...base, naturalKey: ({ metadata }) => (typeof metadata.org === "string" ? metadata.org : null) }),
    defineBasicProvider({ id: "acme-basic", ...base }),
    mappedProvider("acme-mapped", options.apiBaseUrl),
    oauth,
  ];
  const sdk = createSDK({
    store,
    cache,
    state: { secrets: STATE_SECRETS },
    encryption: { keys: options.keys ?? [KEY_1] },
    now,
    logger,
    providers,
    ...options.extra,
  });
  const events: SdkFixture["events"] = [];
  for (const name of SDK_EVENT_NAMES) sdk.events.on(name, (payload) => void events.push({ name, payload }));
  return {
    sdk,
    store,
    cache,
    logger,
    oauth,
    events,
    clock,
    async snapshot() {
      const records = await store.list({});
      return JSON.stringify({ records, cacheKeys: cache.size, cacheWrites: cache.writes });
    },
  };
}
