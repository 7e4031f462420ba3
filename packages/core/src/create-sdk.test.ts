// createSDK at construction: the 1.x call shape is refused with the 2.0 call in the message, and every
// misconfiguration fails here (misconfigured, naming the option) rather than at the first install or resolve.
import { describe, expect, it, vi } from "vitest";
import { createSDK } from "./create-sdk.js";
import { defineApiKeyProvider } from "./define-api-key-provider.js";
import { MemoryCache } from "./memory-cache.js";
import { MemoryStore } from "./memory-store.js";
import type { ProviderDefinition } from "./provider.js";
import { SdkError } from "./sdk-error.js";
import type { SdkOptions } from "./sdk-options.js";
import { fakeOAuthProvider } from "../test/fake-oauth-provider.js";
import { recordingLogger } from "../test/recording-logger.js";
import { testEncryptionKey } from "./test-encryption-key.js";

const secrets = [{ id: "s1", secret: "state-secret-0123456789abcdef0123456789" }];
const encryption = { keys: [testEncryptionKey()] };

function caught(run: () => unknown): SdkError {
  try {
    run();
  } catch (error) {
    if (SdkError.is(error)) return error;
    throw error;
  }
  throw new Error("expected an SdkError");
}

/** A 1.x storage as a 1.x service built it: a class instance with the IStorageProvider methods. */
class LegacyMongoDBStorage {
  async get() {
    return undefined;
  }
  async create() {}
  async update() {}
  async delete() {}
}

describe("createSDK: the 1.x call shape", () => {
  it("createSDK(storage, { cacheStorage }) throws legacy_signature whose message shows the 2.0 call", () => {
    const legacy = createSDK as unknown as (storage: unknown, options: unknown) => unknown;
    const error = caught(() => legacy(new LegacyMongoDBStorage(), { cacheStorage: new MemoryCache(), atlassian: { clientId: "c", clientSecret: "s" } }));
    expect(error.code).toBe("legacy_signature");
    expect(error.message).toContain("createSDK({");
    expect(error.message).toContain("store: new MongoStore(");
    expect(error.message).toContain("cache: new RedisCache(");
    expect(error.message).toContain("providers: [");
    expect(error.message).toContain("MIGRATION.md");
    expect(error.retryable).toBe(false);
  });

  it("createSDK(storage) alone throws legacy_signature, for a class instance and for a plain object of methods", () => {
    const legacy = createSDK as unknown as (storage: unknown) => unknown;
    expect(caught(() => legacy(new LegacyMongoDBStorage())).code).toBe("legacy_signature");
    expect(caught(() => legacy({ get: async () => undefined, create: async () => undefined })).code).toBe("legacy_signature");
    expect(caught(() => legacy(new MemoryStore())).message).toContain("store:");
  });
});

/** The least an OAuth provider declares for createSDK to check its needs; construction never calls it. */
const minimalOAuthProvider: ProviderDefinition = {
  id: "minimal-oauth",
  authType: "oauth2",
  requires: { cache: true, stateSecrets: true },
  parseCredentials: (credentials) => credentials as Record<string, unknown>,
  resolve: () => Promise.reject(new Error("not called at construction")),
};

describe("createSDK: misconfiguration fails at construction", () => {
  it("an OAuth provider without a cache is misconfigured and names the cache", () => {
    const error = caught(() => createSDK({ store: new MemoryStore(), state: { secrets }, encryption, providers: [minimalOAuthProvider] }));
    expect(error.code).toBe("misconfigured");
    expect(error.details).toMatchObject({ field: "cache", provider: "minimal-oauth" });
    expect(error.message).toContain("createSDK({ cache");
  });

  it("an OAuth provider without state secrets is misconfigured and names state.secrets", () => {
    const error = caught(() => createSDK({ store: new MemoryStore(), cache: new MemoryCache(), encryption, providers: [fakeOAuthProvider()] }));
    expect(error.code).toBe("misconfigured");
    expect(error.details).toMatchObject({ field: "state.secrets" });
  });

  it("builds with a cache and state secrets", () => {
    const sdk = createSDK({ store: new MemoryStore(), cache: new MemoryCache(), state: { secrets }, encryption, providers: [fakeOAuthProvider()] });
    expect(sdk.providerIds).toEqual(["fake-oauth"]);
  });

  it.each([
    ["no options", undefined, "options"],
    ["no store", { providers: [] }, "store"],
    ["a store without methods", { store: {}, providers: [] }, "store.get"],
    ["providers not an array", { store: new MemoryStore(), providers: {} }, "providers"],
    ["a short state secret", { store: new MemoryStore(), providers: [], state: { secrets: [{ id: "s1", secret: "short" }] } }, "state.secrets[0].secret"],
    ["a bad key prefix", { store: new MemoryStore(), providers: [], keyPrefix: "a b" }, "keyPrefix"],
    ["a logger missing a level", { store: new MemoryStore(), providers: [], logger: { info() {} } }, "logger.debug"],
    ["an encryption key that is not 32 bytes", { store: new MemoryStore(), providers: [], encryption: { keys: [{ id: "k1", key: "c2hvcnQ=" }] } }, "encryption.keys[0].key"],
    ["no encryption option", { store: new MemoryStore(), providers: [] }, "encryption.keys"],
    ["an empty key ring", { store: new MemoryStore(), providers: [], encryption: { keys: [] } }, "encryption.keys"],
    ["plaintext: false without keys", { store: new MemoryStore(), providers: [], encryption: { plaintext: false } }, "encryption.keys"],
    ["keys and plaintext: true together", { store: new MemoryStore(), providers: [], encryption: { keys: [testEncryptionKey()], plaintext: true } }, "encryption.plaintext"],
    ["a repeated encryption key id", { store: new MemoryStore(), providers: [], encryption: { keys: [{ id: "k1", key: Buffer.alloc(32, 1).toString("base64") }, { id: "k1", key: Buffer.alloc(32, 2).toString("base64") }] } }, "encryption.keys[1].id"],
    ["a provider that is not a definition", { store: new MemoryStore(), encryption, providers: [{ id: "x" }] }, "providers[0]"],
    ["a provider registered twice", { store: new MemoryStore(), encryption, providers: [defineApiKeyProvider({ id: "dup" }), defineApiKeyProvider({ id: "dup" })] }, "providers[1]"],
  ])("%s is misconfigured", (_label, options, field) => {
    const error = caught(() => createSDK(options as unknown as SdkOptions));
    expect(error.code).toBe("misconfigured");
    expect(error.details.field).toBe(field);
  });

  it("a logger gets the plaintext opt-in warning (without secrets); with keys, nothing is warned", () => {
    const logger = recordingLogger();
    createSDK({ store: new MemoryStore(), providers: [], logger, encryption: { plaintext: true } });
    expect(logger.lines.filter((line) => line.level === "warn")).toHaveLength(1);
    expect(logger.lines[0]!.message).toContain("plaintext");
    const keyed = recordingLogger();
    createSDK({ store: new MemoryStore(), providers: [], logger: keyed, encryption });
    expect(keyed.lines.filter((line) => line.level === "warn")).toHaveLength(0);
  });

  it("a provider bundle (an array) registers each provider", () => {
    const sdk = createSDK({ store: new MemoryStore(), encryption, providers: [[defineApiKeyProvider({ id: "one" }), defineApiKeyProvider({ id: "two" })]] });
    expect(sdk.providerIds).toEqual(["one", "two"]);
  });
});

describe("createSDK: no silent plaintext", () => {
  it("without encryption.keys refuses with misconfigured, naming encryption.keys, how to generate a key and the opt-in", () => {
    const error = caught(() => createSDK({ store: new MemoryStore(), providers: [] } as unknown as SdkOptions));
    expect(error.code).toBe("misconfigured");
    expect(error.details).toEqual({ field: "encryption.keys" });
    expect(error.message).toContain("randomBytes(32)");
    expect(error.message).toContain("openssl rand -base64 32");
    expect(error.message).toContain("encryption: { plaintext: true }");
    expect(error.message).toContain("MIGRATION.md");
  });

  it("the plaintext opt-in warns once per process on stderr, with no logger configured", async () => {
    vi.resetModules();
    const fresh = await import("./create-sdk.js");
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      fresh.createSDK({ store: new MemoryStore(), providers: [], encryption: { plaintext: true } });
      fresh.createSDK({ store: new MemoryStore(), providers: [], encryption: { plaintext: true } });
    } finally {
      spy.mockRestore();
    }
    const warnings = written.filter((line) => line.includes("plaintext"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("encryption.keys");
  });
});
