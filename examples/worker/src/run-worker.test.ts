// One cycle of the worker in-process, on the embedded default stores and the RFC 6749 fake server: expired tokens are
// refreshed once each, records under the old key are re-encrypted, progress lines name counts only, and an aborted
// cycle keeps its cursor for the next run (exit 75).
import { createSDK, MemoryCache, MemoryStore, SdkError, type SDK } from "@sdk/core";
import { defineOAuthProvider } from "@sdk/oauth";
import { startOAuthEmulator, type OAuthEmulator } from "@sdk/oauth/testing";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT, exitCodeOf, runCycle } from "./run-worker.js";
import { parseWorkerArguments, UsageError } from "./worker-options.js";

const REDIRECT_URI = "https://app.example.test/callback/acme";
const OLD_KEY = { id: "k1", key: randomBytes(32).toString("base64") };
const NEW_KEY = { id: "k2", key: randomBytes(32).toString("base64") };

let server: OAuthEmulator | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function sdkOn(stores: { store: MemoryStore; cache: MemoryCache }, keys: Array<{ id: string; key: string }>, fake: OAuthEmulator): SDK {
  return createSDK({
    ...stores,
    encryption: { keys },
    state: { secrets: [{ id: "s1", secret: "worker-state-secret-0123456789abcdef01" }] },
    providers: [
      defineOAuthProvider({
        id: "acme",
        client: { clientId: fake.clientId, clientSecret: fake.clientSecret, redirectUri: REDIRECT_URI, scopes: ["read"] },
        endpoints: { authorizeUrl: fake.authorizeUrl, tokenUrl: fake.tokenUrl },
      }),
    ],
  });
}

async function install(sdk: SDK, fake: OAuthEmulator, user: string): Promise<string> {
  const started = await sdk.buildInstallUrl({ provider: "acme", user_id: user, account_id: `acct-${user}` });
  const back = new URL(await fake.consent(started.url, { user }));
  const { integration } = await sdk.handleInstallCallback({ provider: "acme", query: back.searchParams, browser_binding: started.browser_binding });
  return (await sdk.createConnection(integration)).id;
}

describe("runCycle", () => {
  it("refreshes each due connection once, re-encrypts the other records under the old key, and prints counts only", async () => {
    server = await startOAuthEmulator({ redirectUris: [REDIRECT_URI] });
    const stores = { store: new MemoryStore(), cache: new MemoryCache() };
    const before = sdkOn(stores, [OLD_KEY], server);
    const ids = [await install(before, server, "ann"), await install(before, server, "bob"), await install(before, server, "cid")];
    // One is due (its access token is gone); the other two hold tokens valid for an hour.
    await before.invalidateConnection(ids[0]!);

    const sdk = sdkOn(stores, [NEW_KEY, OLD_KEY], server);
    const lines: string[] = [];
    const refreshesBefore = server.stats.refreshes;
    const summary = await runCycle({ sdk, checkpoints: stores.cache, options: parseWorkerArguments(["--once", "--limit=2", "--within=0"]), print: (line) => lines.push(line), signal: new AbortController().signal });

    // The refresh wrote its record under the new key already; re-encryption does the other two.
    expect(summary).toEqual({ refreshed: 1, needs_reauth: 0, failed: 0, reencrypted: 2, reencrypt_failed: 0, interrupted: false });
    expect(server.stats.refreshes - refreshesBefore).toBe(1);
    expect(exitCodeOf(summary)).toBe(EXIT.ok);
    expect(lines.filter((line) => line.includes("event=refresh-due "))).toHaveLength(2);
    expect(lines.filter((line) => line.includes("event=reencrypt "))).toHaveLength(2);
    expect(lines.join("\n")).toMatch(/event=refresh-due page=2 examined=1 /);
    expect(lines.join("\n")).toMatch(/event=reencrypt page=2 examined=3 done=2 skipped=1 failed=0/);
    // With the old key gone, every connection still resolves: nothing was left under it.
    const after = sdkOn(stores, [NEW_KEY], server);
    for (const id of ids) expect((await after.resolveConnection(id)).access_token).toMatch(/\S/);
    // A second cycle has nothing to do.
    const again = await runCycle({ sdk, checkpoints: stores.cache, options: parseWorkerArguments(["--once", "--within=0"]), print: () => undefined, signal: new AbortController().signal });
    expect(again).toMatchObject({ refreshed: 0, reencrypted: 0, interrupted: false });
  });

  it("stops at a page boundary when aborted and resumes from the saved cursor (exit 75)", async () => {
    server = await startOAuthEmulator({ redirectUris: [REDIRECT_URI] });
    const stores = { store: new MemoryStore(), cache: new MemoryCache() };
    const sdk = sdkOn(stores, [NEW_KEY], server);
    const ids = [await install(sdk, server, "ann"), await install(sdk, server, "bob"), await install(sdk, server, "cid")];
    for (const id of ids) await sdk.invalidateConnection(id);
    const stop = new AbortController();
    const lines: string[] = [];
    const first = await runCycle({
      sdk,
      checkpoints: stores.cache,
      options: parseWorkerArguments(["--once", "--limit=1"]),
      print: (line) => {
        lines.push(line);
        stop.abort();
      },
      signal: stop.signal,
    });
    expect(first).toMatchObject({ refreshed: 1, interrupted: true });
    expect(exitCodeOf(first)).toBe(EXIT.tempfail);
    const next = await runCycle({ sdk, checkpoints: stores.cache, options: parseWorkerArguments(["--once", "--limit=1"]), print: (line) => lines.push(line), signal: new AbortController().signal });
    expect(next).toMatchObject({ refreshed: 2, interrupted: false });
    expect(lines.some((line) => line.includes("event=refresh-due-resume"))).toBe(true);
  });
});

describe("exit codes and arguments", () => {
  it("maps outcomes to sysexits codes", () => {
    const summary = { refreshed: 1, needs_reauth: 2, failed: 0, reencrypted: 0, reencrypt_failed: 0, interrupted: false };
    expect(exitCodeOf(summary)).toBe(EXIT.ok);
    expect(exitCodeOf({ ...summary, failed: 1 })).toBe(EXIT.failures);
    expect(exitCodeOf({ ...summary, reencrypt_failed: 1 })).toBe(EXIT.failures);
    expect(exitCodeOf(new SdkError("misconfigured", "allkeys-lru"))).toBe(EXIT.config);
    expect(exitCodeOf(new SdkError("store_unavailable", "down"))).toBe(EXIT.tempfail);
    expect(exitCodeOf(new Error("boom"))).toBe(EXIT.failures);
  });

  it("refuses ambiguous or malformed arguments", () => {
    for (const argv of [[], ["--once", "--every=5"], ["--every"], ["--every=0"], ["--limit=5000", "--once"], ["--once=yes"], ["--bogus"], ["run"]]) {
      expect(() => parseWorkerArguments(argv)).toThrow(UsageError);
    }
    expect(parseWorkerArguments(["--every=15", "--within=30", "--no-reencrypt"])).toEqual({ everyMs: 900_000, withinMs: 1_800_000, limit: 200, concurrency: 8, reencrypt: false });
  });
});
