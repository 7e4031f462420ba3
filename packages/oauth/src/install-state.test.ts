import { MemoryCache, MemoryStore, SdkError, createSDK } from "@sdk/core";
import { type StateConfig } from "@sdk/core/provider-kit";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ENCRYPTION, STATE_SECRETS, startHarness, type Harness } from "../test/harness.js";
import { hashBinding, signState, verifyState } from "./install-state.js";
import { s256Challenge } from "./pkce.js";

// Seeded so a run is repeatable (CI must not turn red on a new random input); FC_SEED=random explores new inputs,
// and a failure prints the seed that replays it (FC_SEED=<seed>).
if (process.env.FC_SEED !== "random") fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261130) });

const config: StateConfig = { secrets: STATE_SECRETS, browserBinding: "required", ttlSeconds: 600 };
const NOW = Date.UTC(2026, 0, 1);
const BINDING = "browser-binding-value-0123456789";

function fresh(overrides: Partial<Parameters<typeof signState>[2]> = {}, at = NOW, cfg = config) {
  return signState(cfg, at, { provider: "acme", user_id: "u1", account_id: "a1", created_by: "u1", browserBinding: BINDING, ctx: { scopes: ["read"] }, ...overrides });
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (SdkError.is(error)) return error.code;
    throw error;
  }
  return "accepted";
}

const verify = (state: string | undefined, overrides: { provider?: string; browserBinding?: string | undefined; nowMs?: number } = {}, cfg = config) =>
  codeOf(() => verifyState(cfg, { state, provider: "acme", browserBinding: BINDING, nowMs: NOW + 1000, ...overrides }));

describe("install state: one code per failure, in the fixed order", () => {
  it("accepts a fresh state with its binding and returns the payload", () => {
    const { state, payload } = fresh();
    expect(verifyState(config, { state, provider: "acme", browserBinding: BINDING, nowMs: NOW + 1000 })).toEqual(payload);
    expect(payload.binding).toBe(hashBinding(BINDING));
    expect(payload.exp - payload.iat).toBe(600);
    expect(Buffer.from(payload.nonce, "base64url").length * 8).toBeGreaterThanOrEqual(128);
  });

  it("state_missing for an absent or empty state", () => {
    expect(verify(undefined)).toBe("state_missing");
    expect(verify("")).toBe("state_missing");
  });

  it("state_malformed for truncated, re-encoded, non-JSON and oversized states", () => {
    const { state } = fresh();
    const [payload, signature] = state.split(".") as [string, string];
    expect(verify(payload)).toBe("state_malformed");
    expect(verify(`${payload}.${signature}.x`)).toBe("state_malformed");
    expect(verify(`${payload.slice(0, -3)}.${signature}`)).toBe("state_malformed");
    expect(verify(`${Buffer.from(payload, "base64url").toString("base64")}.${signature}`)).toBe("state_malformed");
    expect(verify(`${Buffer.from("not json").toString("base64url")}.${signature}`)).toBe("state_malformed");
    expect(verify(`${Buffer.from(JSON.stringify({ v: 2 })).toString("base64url")}.${signature}`)).toBe("state_malformed");
    expect(verify(`${"A".repeat(5000)}.${signature}`)).toBe("state_malformed");
  });

  it("state_bad_signature for a tampered payload, a tampered signature and an unknown kid", () => {
    const { state, payload } = fresh();
    const [, signature] = state.split(".") as [string, string];
    const swapped = Buffer.from(JSON.stringify({ ...payload, account_id: "attacker" })).toString("base64url");
    expect(verify(`${swapped}.${signature}`)).toBe("state_bad_signature");
    const flipped = signature.startsWith("A") ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    expect(verify(`${state.split(".")[0]}.${flipped}`)).toBe("state_bad_signature");
    const unknownKid = fresh({}, NOW, { ...config, secrets: [{ id: "retired-and-gone", secret: "x".repeat(40) }] }).state;
    expect(verify(unknownKid)).toBe("state_bad_signature");
  });

  it("a state signed with a retired key that is still listed verifies after rotation", () => {
    const { state } = fresh();
    const rotated = { ...config, secrets: [{ id: "s2", secret: "new-state-secret-0123456789-abcdefghijkl" }, ...STATE_SECRETS] };
    expect(verify(state, {}, rotated)).toBe("accepted");
    expect(fresh({}, NOW, rotated).payload.kid).toBe("s2");
  });

  it("state_expired after the lifetime, before the provider check", () => {
    const { state } = fresh();
    expect(verify(state, { nowMs: NOW + 600_000 })).toBe("state_expired");
    expect(verify(state, { nowMs: NOW + 600_000, provider: "other" })).toBe("state_expired");
  });

  it("state_provider_mismatch for a state issued to another provider, before the binding check", () => {
    const { state } = fresh();
    expect(verify(state, { provider: "other" })).toBe("state_provider_mismatch");
    expect(verify(state, { provider: "other", browserBinding: "wrong" })).toBe("state_provider_mismatch");
  });

  it("state_binding_mismatch for a missing or different binding, and for an unbound state when binding is required", () => {
    const { state } = fresh();
    expect(verify(state, { browserBinding: undefined })).toBe("state_binding_mismatch");
    expect(verify(state, { browserBinding: `${BINDING}x` })).toBe("state_binding_mismatch");
    const unbound = fresh({ browserBinding: null }).state;
    expect(verify(unbound, { browserBinding: undefined })).toBe("state_binding_mismatch");
    expect(verify(unbound, { browserBinding: undefined }, { ...config, browserBinding: "off" })).toBe("accepted");
  });

  it("property: every mutation of a valid state is rejected with an SdkError, never accepted, never a crash", () => {
    const { state } = fresh();
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("flip"), at: fc.nat(), char: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ") }),
      fc.record({ kind: fc.constant("cut"), at: fc.nat() }),
      fc.record({ kind: fc.constant("insert"), at: fc.nat(), text: fc.string({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant("delete"), at: fc.nat(), length: fc.integer({ min: 1, max: 10 }) }),
    );
    fc.assert(
      fc.property(mutation, (change) => {
        const at = change.at % state.length;
        let mutated: string;
        if (change.kind === "flip") mutated = state.slice(0, at) + change.char + state.slice(at + 1);
        else if (change.kind === "cut") mutated = state.slice(0, at);
        else if (change.kind === "insert") mutated = state.slice(0, at) + change.text + state.slice(at);
        else mutated = state.slice(0, at) + state.slice(at + change.length);
        fc.pre(mutated !== state);
        const code = verify(mutated);
        expect(code).not.toBe("accepted");
        expect(code.startsWith("state_")).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("install state through the SDK callback", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function started(h: Harness) {
    const install = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await h.server.consent(install.url));
    return { install, code: back.searchParams.get("code")!, state: back.searchParams.get("state")! };
  }

  it("never puts the PKCE verifier in the URL, and the challenge is S256 of the verifier kept in the cache", async () => {
    const h = (harness = await startHarness());
    const install = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
    const url = new URL(install.url);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const nonce = JSON.parse(Buffer.from(install.state.split(".")[0]!, "base64url").toString()).nonce as string;
    const verifier = await h.cache.get(`sdk:pkce:${nonce}`);
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("code_challenge")).toBe(s256Challenge(verifier!));
    expect(install.url).not.toContain(verifier!);
    expect(install.state).not.toContain(verifier!);
  });

  it("RFC 7636 appendix B test vector", () => {
    expect(s256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("a rejected state burns nothing: the same state then succeeds with the right binding", async () => {
    const h = (harness = await startHarness());
    const { install, code, state } = await started(h);
    const rejected: string[] = [];
    h.sdk.events.on("state.rejected", (event) => rejected.push(event.code));
    const wrong = await h.sdk.handleInstallCallback({ provider: "acme", code, state, browser_binding: "someone-elses-binding-123" }).catch((error: unknown) => error);
    expect(SdkError.is(wrong, "state_binding_mismatch")).toBe(true);
    expect(h.server.counters.token ?? 0).toBe(0);
    const ok = await h.sdk.handleInstallCallback({ provider: "acme", code, state, browser_binding: install.browser_binding });
    expect(ok.integration.account_id).toBe("acct-1");
    expect(rejected).toEqual(["state_binding_mismatch"]);
  });

  it("a state longer than the accepted size (here 9 KB, past the SDK's input cap) is state_malformed with its state.rejected event", async () => {
    const h = (harness = await startHarness());
    const { install, code } = await started(h);
    const rejected: string[] = [];
    h.sdk.events.on("state.rejected", (event) => rejected.push(event.code));
    for (const length of [4097, 9000, 100_000]) {
      const long = await h.sdk.handleInstallCallback({ provider: "acme", code, state: "A".repeat(length), browser_binding: install.browser_binding }).catch((error: unknown) => error);
      expect(SdkError.is(long, "state_malformed")).toBe(true);
    }
    expect(rejected).toEqual(["state_malformed", "state_malformed", "state_malformed"]);
    expect(h.server.counters.token ?? 0).toBe(0);
  });

  it("a replayed state is state_replayed and never reaches the token endpoint", async () => {
    const h = (harness = await startHarness());
    const { install, code, state } = await started(h);
    await h.sdk.handleInstallCallback({ provider: "acme", code, state, browser_binding: install.browser_binding });
    const calls = h.server.counters.token;
    const replay = await h.sdk.handleInstallCallback({ provider: "acme", code, state, browser_binding: install.browser_binding }).catch((error: unknown) => error);
    expect(SdkError.is(replay, "state_replayed")).toBe(true);
    expect(h.server.counters.token).toBe(calls);
  });

  it("10 parallel callbacks with one state: exactly one succeeds, nine are state_replayed, one token call", async () => {
    const h = (harness = await startHarness());
    const { install, code, state } = await started(h);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => h.sdk.handleInstallCallback({ provider: "acme", code, state, browser_binding: install.browser_binding })),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const reasons = results.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
    expect(reasons.every((reason) => SdkError.is(reason, "state_replayed"))).toBe(true);
    expect(h.server.counters.token).toBe(1);
  });

  it("authorization_denied for an error redirect", async () => {
    const h = (harness = await startHarness());
    const install = await h.sdk.buildInstallUrl({ provider: "acme", user_id: "user-1", account_id: "acct-1" });
    const back = new URL(await h.server.consent(install.url, { approve: false }));
    expect(back.searchParams.get("error")).toBe("access_denied");
    const denied = await h.sdk
      .handleInstallCallback({ provider: "acme", error: back.searchParams.get("error")!, state: back.searchParams.get("state")!, browser_binding: install.browser_binding })
      .catch((error: unknown) => error);
    expect(SdkError.is(denied, "authorization_denied")).toBe(true);
  });

  it("swapped provider: a state issued for one provider is rejected by another's callback", async () => {
    const h = (harness = await startHarness());
    const { install, code, state } = await started(h);
    const { defineOAuthProvider } = await import("./define-oauth-provider.js");
    const other = defineOAuthProvider({ ...h.providerOptions, id: "other" });
    const sdk = createSDK({ store: new MemoryStore(), cache: new MemoryCache({ now: h.clock.now }), now: h.clock.now, state: { secrets: STATE_SECRETS }, encryption: ENCRYPTION, providers: [h.provider, other] });
    const swapped = await sdk.handleInstallCallback({ provider: "other", code, state, browser_binding: install.browser_binding }).catch((error: unknown) => error);
    expect(SdkError.is(swapped, "state_provider_mismatch")).toBe(true);
  });
});
