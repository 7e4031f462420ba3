// ChainCredentials alone: field names per chain, the createConnection schema, what a token answer becomes in the
// record and in the cache, tokens without a refresh token, sibling grant copies, the default runtime.
import { SdkError, type Integration } from "@sdk/core";
import { describe, expect, it } from "vitest";
import { ChainCredentials, chainFields } from "./chain-credentials.js";

const NOW = Date.UTC(2026, 10, 30, 12);
const slackLike = new ChainCredentials({ id: "acme", chains: ["user"], defaultExpiresInSeconds: 600, apiBaseUrl: "https://api.acme.test" });

function record(credentials: Record<string, unknown>): Integration {
  return { id: "i1", provider: "acme", account_id: "a1", created_by: "u1", auth_type: "oauth2", status: "active", scopes: ["stored"], credentials, metadata: {}, natural_key: null, version: 1, created_at: "", updated_at: "" };
}

describe("ChainCredentials", () => {
  it("names the fields of the primary chain bare and of other chains with their prefix", () => {
    expect(chainFields("")).toEqual({ refresh: "refresh_token", access: "access_token", expiresAt: "access_token_expires_at", tokenType: "token_type", scopes: "scopes" });
    expect(chainFields("user").refresh).toBe("user_refresh_token");
    expect(slackLike.chains).toEqual(["", "user"]);
  });

  it("accepts credentials of any chain and refuses unknown fields or no token at all, naming the field", () => {
    expect(slackLike.parse({ user_refresh_token: "r" }, "credentials")).toEqual({ user_refresh_token: "r" });
    const unknown = (() => { try { slackLike.parse({ refresh_token: "r", bot_token: "x" }, "credentials"); } catch (error) { return error; } })();
    expect(SdkError.is(unknown, "validation_failed")).toBe(true);
    expect(() => slackLike.parse({ token_type: "Bearer" }, "credentials")).toThrow(/refresh_token or an access_token/);
  });

  it("gives a refreshable answer the configured lifetime when it has no expires_in, and a bare token none", () => {
    expect(slackLike.fromAnswer("user", { access_token: "a", refresh_token: "r" }, NOW)).toEqual({
      user_access_token: "a", user_token_type: "Bearer", user_scopes: [], user_refresh_token: "r", user_access_token_expires_at: NOW + 600_000,
    });
    expect(slackLike.fromAnswer("", { access_token: "a" }, NOW).access_token_expires_at).toBeNull();
    expect(slackLike.fromAnswer("", { access_token: "a", expires_in: 30 }, NOW).access_token_expires_at).toBe(NOW + 30_000);
  });

  it("moves refreshable chains' access tokens to the cache and keeps a bare token in the record", () => {
    const { credentials, toCache } = slackLike.splitForCache(
      { refresh_token: "r", access_token: "a", access_token_expires_at: NOW + 1000, scopes: ["s"], user_access_token: "bare" },
      NOW,
    );
    expect(credentials).toEqual({ refresh_token: "r", scopes: ["s"], user_access_token: "bare" });
    expect(toCache).toEqual([["", { access_token: "a", token_type: "Bearer", expires_at: NOW + 1000, scopes: ["s"] }]]);
  });

  it("serves a bare token until its stated expiry and reports it expired after", () => {
    const bare = record({ access_token: "a", access_token_expires_at: NOW + 1 });
    expect(slackLike.storedToken(bare, "", NOW)).toMatchObject({ access_token: "a", scopes: ["stored"] });
    expect(slackLike.storedToken(bare, "", NOW + 1)).toBe("expired");
    expect(slackLike.storedToken(record({ access_token: "a" }), "", NOW)).toMatchObject({ expires_at: Number.MAX_SAFE_INTEGER });
  });

  it("copies only refresh tokens the sibling does not hold yet", () => {
    const source = record({ refresh_token: "new", user_refresh_token: "same" });
    expect(slackLike.copyGrant(source, record({ refresh_token: "old", user_refresh_token: "same", scopes: ["x"] }))).toEqual({
      credentials: { refresh_token: "new", user_refresh_token: "same", scopes: ["x"] },
    });
    expect(slackLike.copyGrant(source, record({ refresh_token: "new", user_refresh_token: "same" }))).toBeUndefined();
  });

  it("builds the default runtime from the primary chain, with no expiry date for a token that does not expire", () => {
    const runtime = slackLike.runtime(record({}), { "": { access_token: "a", token_type: "Bearer", expires_at: Number.MAX_SAFE_INTEGER, scopes: ["s"] } });
    expect(runtime).toEqual({ access_token: "a", token_type: "Bearer", expires_at: null, scopes: ["s"], headers: { Authorization: "Bearer a" }, api_base_url: "https://api.acme.test" });
    expect(() => slackLike.runtime(record({}), {})).toThrow(/holds no token/);
  });

  it("keeps the stored scopes when a refresh answer lists none", () => {
    const token = slackLike.refreshedToken(record({ user_scopes: ["u"] }), "user", { access_token: "a", expires_in: 10 }, NOW);
    expect(token).toEqual({ access_token: "a", token_type: "Bearer", expires_at: NOW + 10_000, scopes: ["u"], issued_at: NOW });
  });
});
