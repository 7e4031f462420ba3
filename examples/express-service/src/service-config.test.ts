import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadServiceConfig, ServiceConfigError } from "./service-config.js";

const KEY = randomBytes(32).toString("base64");
const SECRET = randomBytes(32).toString("base64url");
const production = { STATE_SECRET: SECRET, CREDENTIALS_KEY: KEY, ATLASSIAN_CLIENT_ID: "atl-client", ATLASSIAN_CLIENT_SECRET: "atl-secret-value-0123456789" };

function problemsOf(env: Record<string, string>, options?: { dev?: boolean }): string[] {
  try {
    loadServiceConfig(env, options);
  } catch (error) {
    if (error instanceof ServiceConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ServiceConfigError");
}

describe("loadServiceConfig", () => {
  it("dev mode needs nothing: random state secret and key for this process, the demo identity, the embedded stores", () => {
    const first = loadServiceConfig({}, { dev: true });
    const second = loadServiceConfig({ DEV_EMULATORS: "1" });
    expect(first).toMatchObject({ dev: true, port: 3000, host: "127.0.0.1", publicUrl: undefined, redisUrl: undefined, mongodbUrl: undefined });
    expect(first.identity).toEqual({ user_id: "user-demo", account_id: "acct-demo" });
    expect(second.dev).toBe(true);
    expect(first.stateSecret.secret).not.toBe(second.stateSecret.secret);
    expect(Buffer.from(first.credentialsKey.key, "base64")).toHaveLength(32);
    expect([first.stateSecret.id, first.credentialsKey.id]).toEqual(["s1", "k1"]);
  });

  it("production reads every provider pair, Redis and MongoDB; an empty variable counts as unset", () => {
    const config = loadServiceConfig({
      ...production,
      SLACK_CLIENT_ID: "111.222",
      SLACK_CLIENT_SECRET: "slack-secret-value",
      SLACK_SCOPES: "chat:write,channels:read",
      SENTRY_APP_SLUG: "acme-app",
      SENTRY_CLIENT_ID: "sentry-id",
      SENTRY_CLIENT_SECRET: "sentry-secret",
      REDIS_URL: "redis://127.0.0.1:6379",
      MONGODB_URL: "mongodb://127.0.0.1:27017/app",
      PUBLIC_URL: "https://integrations.example.com/",
      PORT: "8080",
      LOG_LEVEL: "",
    });
    expect(config).toMatchObject({ dev: false, port: 8080, publicUrl: "https://integrations.example.com", logLevel: "info", mongodbCollection: "integrations" });
    expect(config.slack?.scopes).toEqual(["chat:write", "channels:read"]);
    expect(config.sentry).toEqual({ slug: "acme-app", clientId: "sentry-id", clientSecret: "sentry-secret" });
    expect(config.stateSecret).toEqual({ id: "s1", secret: SECRET });
  });

  it("production refuses to start without secrets or a provider, naming each variable", () => {
    expect(problemsOf({})).toEqual([
      expect.stringMatching(/^STATE_SECRET: is required/),
      expect.stringMatching(/^CREDENTIALS_KEY: is required/),
      expect.stringMatching(/^ATLASSIAN_CLIENT_ID, SLACK_CLIENT_ID or SENTRY_CLIENT_ID: configure at least one provider/),
    ]);
  });

  it("half a provider is an error naming the missing half", () => {
    expect(problemsOf({ ...production, SLACK_CLIENT_ID: "111.222", SENTRY_CLIENT_SECRET: "x" })).toEqual([
      "SLACK_CLIENT_SECRET: is required when SLACK_CLIENT_ID is set",
      "SENTRY_APP_SLUG: is required when SENTRY_CLIENT_SECRET is set",
      "SENTRY_CLIENT_ID: is required when SENTRY_CLIENT_SECRET is set",
    ]);
  });

  it("a malformed value is named by its variable and never quoted", () => {
    const env = {
      ...production,
      STATE_SECRET: "too-short-but-secret",
      CREDENTIALS_KEY: "bm90LTMyLWJ5dGVzLXNlY3JldA==",
      PUBLIC_URL: "https://example.com/app?token=leaky-query-value",
      REDIS_URL: "http://cache-password@example.com",
      PORT: "99999",
    };
    const problems = problemsOf(env);
    expect(problems.map((problem) => problem.split(":")[0])).toEqual(["PORT", "PUBLIC_URL", "STATE_SECRET", "CREDENTIALS_KEY", "REDIS_URL"]);
    const text = problems.join("\n");
    for (const value of [env.STATE_SECRET, env.CREDENTIALS_KEY, "leaky-query-value", "cache-password"]) expect(text).not.toContain(value);
  });
});
