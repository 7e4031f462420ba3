// Reads the service's configuration from the environment once, at start-up, and validates it with zod: a missing or
// malformed variable stops the process with the variable's name and what is wrong, never its value.
// It reads only the environment it is given, so tests pass their own and nothing leaks in from the shell.
import { randomBytes } from "node:crypto";
import { idSchema } from "@sdk/core/provider-kit";
import { z } from "zod";
import { LOG_LEVELS, type LogLevel } from "./create-json-logger.js";

export interface ProviderCredentials {
  clientId: string;
  clientSecret: string;
}

export interface ServiceConfig {
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /** Address to bind. */
  host: string;
  /** Origin the browser reaches the service at (redirect URIs, cookie `Secure`); derived from the bound address when unset. */
  publicUrl: string | undefined;
  /** Start the provider emulators in-process and point every provider at them. */
  dev: boolean;
  /** Install-state signing key ring entry (the id is written into every state). */
  stateSecret: { id: string; secret: string };
  /** Credential encryption key ring entry: 32 bytes, base64 (the id is written into every stored envelope). */
  credentialsKey: { id: string; key: string };
  atlassian: ProviderCredentials | undefined;
  slack: (ProviderCredentials & { scopes: string[] }) | undefined;
  sentry: (ProviderCredentials & { slug: string }) | undefined;
  redisUrl: string | undefined;
  mongodbUrl: string | undefined;
  mongodbCollection: string;
  /** The one user and account this example acts for (see README: replace with your session). */
  identity: { user_id: string; account_id: string };
  logLevel: LogLevel;
}

export class ServiceConfigError extends Error {
  /** One line per problem: `VARIABLE: what is wrong`. */
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ServiceConfigError";
    this.problems = problems;
  }
}

// An empty variable counts as unset, as it does for most twelve-factor tooling.
const unsetWhenEmpty = (value: unknown) => (value === "" ? undefined : value);
const text = z.preprocess(unsetWhenEmpty, z.string().trim().min(1).max(4096).optional());
const flag = z.preprocess(unsetWhenEmpty, z.enum(["0", "1", "true", "false"]).optional()).transform((value) => value === "1" || value === "true");

const publicUrlSchema = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .refine((value) => ["", "/"].includes(new URL(value).pathname) && !new URL(value).search && !new URL(value).hash, "must be an origin (no path, query or fragment)")
  .transform((value) => new URL(value).origin);

const credentialsKeySchema = z.string().refine((value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, "base64").length === 32, "must be 32 random bytes, base64");

/** Key ring ids as @sdk/core accepts them; they are written into states and stored envelopes, so keep them stable. */
const keyId = (fallback: string) => z.preprocess(unsetWhenEmpty, z.string().regex(/^[\w.-]{1,64}$/, "must be 1-64 of A-Z a-z 0-9 _ . -").default(fallback));

const envSchema = z.object({
  PORT: z.preprocess(unsetWhenEmpty, z.coerce.number().int().min(0).max(65_535).default(3000)),
  HOST: z.preprocess(unsetWhenEmpty, z.string().default("127.0.0.1")),
  PUBLIC_URL: z.preprocess(unsetWhenEmpty, publicUrlSchema.optional()),
  DEV_EMULATORS: flag,
  STATE_SECRET: z.preprocess(unsetWhenEmpty, z.string().min(32, "must be at least 32 characters").max(4096).optional()),
  STATE_SECRET_ID: keyId("s1"),
  CREDENTIALS_KEY: z.preprocess(unsetWhenEmpty, credentialsKeySchema.optional()),
  CREDENTIALS_KEY_ID: keyId("k1"),
  ATLASSIAN_CLIENT_ID: text,
  ATLASSIAN_CLIENT_SECRET: text,
  SLACK_CLIENT_ID: text,
  SLACK_CLIENT_SECRET: text,
  SLACK_SCOPES: z.preprocess(unsetWhenEmpty, z.string().regex(/^[\w:.-]+(,[\w:.-]+)*$/, "must be comma-separated scopes").default("chat:write")),
  SENTRY_APP_SLUG: z.preprocess(unsetWhenEmpty, z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/, "must be the app's slug").optional()),
  SENTRY_CLIENT_ID: text,
  SENTRY_CLIENT_SECRET: text,
  REDIS_URL: z.preprocess(unsetWhenEmpty, z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).optional()),
  MONGODB_URL: z.preprocess(unsetWhenEmpty, z.string().regex(/^mongodb(\+srv)?:\/\//, "must be a mongodb:// or mongodb+srv:// URL").optional()),
  MONGODB_COLLECTION: z.preprocess(unsetWhenEmpty, z.string().regex(/^[\w.-]{1,120}$/, "must be a collection name").default("integrations")),
  DEMO_USER_ID: z.preprocess(unsetWhenEmpty, idSchema().default("user-demo")),
  DEMO_ACCOUNT_ID: z.preprocess(unsetWhenEmpty, idSchema().default("acct-demo")),
  LOG_LEVEL: z.preprocess(unsetWhenEmpty, z.enum(LOG_LEVELS).default("info")),
});

/** Both variables of a pair, or neither: half a provider is a typo, not a choice. */
function pair(isSet: (name: string) => boolean, names: string[], problems: string[]): boolean {
  const set = names.filter(isSet);
  if (set.length > 0 && set.length < names.length) {
    for (const name of names.filter((candidate) => !isSet(candidate))) problems.push(`${name}: is required when ${set.join(", ")} is set`);
  }
  return set.length === names.length;
}

/**
 * Validates `env` (usually `process.env`) and returns the service's settings; throws `ServiceConfigError` listing every
 * problem. `dev` (or DEV_EMULATORS=1) makes the state secret and the credentials key optional: a random one is made
 * for this process, so installs in flight and stored credentials do not survive a restart.
 */
export function loadServiceConfig(env: Record<string, string | undefined>, options: { dev?: boolean } = {}): ServiceConfig {
  const parsed = envSchema.safeParse(env);
  // Every problem at once: the schema's, then the ones that depend on which variables are set.
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`);
  const isSet = (name: string) => unsetWhenEmpty(env[name]) !== undefined;
  const dev = options.dev === true || ["1", "true"].includes(env.DEV_EMULATORS ?? "");
  const hasAtlassian = pair(isSet, ["ATLASSIAN_CLIENT_ID", "ATLASSIAN_CLIENT_SECRET"], problems);
  const hasSlack = pair(isSet, ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"], problems);
  const hasSentry = pair(isSet, ["SENTRY_APP_SLUG", "SENTRY_CLIENT_ID", "SENTRY_CLIENT_SECRET"], problems);
  if (!dev) {
    if (!isSet("STATE_SECRET")) problems.push("STATE_SECRET: is required (at least 32 random characters) unless DEV_EMULATORS=1");
    if (!isSet("CREDENTIALS_KEY")) problems.push("CREDENTIALS_KEY: is required (32 random bytes, base64) unless DEV_EMULATORS=1");
    if (!hasAtlassian && !hasSlack && !hasSentry) problems.push("ATLASSIAN_CLIENT_ID, SLACK_CLIENT_ID or SENTRY_CLIENT_ID: configure at least one provider, or set DEV_EMULATORS=1");
  }
  if (problems.length > 0 || !parsed.success) throw new ServiceConfigError(problems);
  const values = parsed.data;
  return {
    port: values.PORT,
    host: values.HOST,
    publicUrl: values.PUBLIC_URL,
    dev,
    stateSecret: { id: values.STATE_SECRET_ID, secret: values.STATE_SECRET ?? randomBytes(32).toString("base64url") },
    credentialsKey: { id: values.CREDENTIALS_KEY_ID, key: values.CREDENTIALS_KEY ?? randomBytes(32).toString("base64") },
    atlassian: hasAtlassian ? { clientId: values.ATLASSIAN_CLIENT_ID!, clientSecret: values.ATLASSIAN_CLIENT_SECRET! } : undefined,
    slack: hasSlack ? { clientId: values.SLACK_CLIENT_ID!, clientSecret: values.SLACK_CLIENT_SECRET!, scopes: values.SLACK_SCOPES.split(",") } : undefined,
    sentry: hasSentry ? { slug: values.SENTRY_APP_SLUG!, clientId: values.SENTRY_CLIENT_ID!, clientSecret: values.SENTRY_CLIENT_SECRET! } : undefined,
    redisUrl: values.REDIS_URL,
    mongodbUrl: values.MONGODB_URL,
    mongodbCollection: values.MONGODB_COLLECTION,
    identity: { user_id: values.DEMO_USER_ID, account_id: values.DEMO_ACCOUNT_ID },
    logLevel: values.LOG_LEVEL,
  };
}
