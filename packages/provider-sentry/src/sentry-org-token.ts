// `sentryOrgToken()`: Sentry's organization-level static tokens as a non-OAuth provider of its own id: org auth
// tokens (`sntrys_…`, `org:ci` only) and internal-integration tokens (unprefixed 64-hex). The token is static (it does not expire), so resolving makes no network call;
// the org slug and the region host are validated on input and the token only ever goes to a configured host.
import { defineMappedCredentialsProvider, type ProviderDefinition, type Runtime } from "@sdk/core";
import { lazySchema, parseInput, parseOptions, zod } from "@sdk/core/provider-kit";
import type { z } from "zod";
import { allowedHostSchema, allowedHosts, originOf, originSchema, sentryHostSchema, sentrySlugSchema } from "./sentry-hosts.js";

/** Options of `sentryOrgToken()`. */
export interface SentryOrgTokenOptions {
  /** Provider id in inputs and records. @default "sentry-org-token" */
  id?: string;
  /**
   * Host a connection uses when its metadata names none. When it is a SaaS host (`sentry.io`, `us.sentry.io`,
   * `de.sentry.io`), connections may name any SaaS host; otherwise (self-hosted) only this one.
   * @default "sentry.io"
   */
  host?: string;
  /**
   * Token prefixes accepted besides the two kinds Sentry issues for an organization: org auth tokens (`sntrys_…`)
   * and internal-integration tokens (64 lower-case hex characters, no prefix).
   * @default []
   * @see https://docs.sentry.io/api/auth/
   */
  tokenPrefixes?: string[];
  /** Origin override for an emulator or a proxy (replaces `https://{host}`). */
  endpoints?: { apiBaseUrl?: string };
}

/** Credentials of a `sentry-org-token` connection. */
export type SentryOrgTokenCredentials = {
  /** An org auth token `sntrys_…` or an internal-integration token (64-hex). */
  token: string;
};

/**
 * Which kind of token a connection holds, from its form. `org_auth_token` (`sntrys_`): only `org:ci`, i.e. releases,
 * deploys and artifact / debug-file uploads. `internal_integration` (64-hex): the scopes given to the internal
 * integration, on any `/api/0/` endpoint they allow. `other`: a token matched by `tokenPrefixes`.
 */
export type SentryOrgTokenKind = "org_auth_token" | "internal_integration" | "other";

/** Metadata of a `sentry-org-token` connection. */
export interface SentryOrgTokenMetadata {
  /** The organization the token belongs to (a Sentry slug). */
  org_slug: string;
  /** @default the factory's `host` */
  host?: string;
}

/** What `sdk.resolveConnection(id)` returns for an org-token connection. */
export interface SentryOrgTokenRuntime extends Runtime {
  /** The organization the token belongs to. */
  org_slug: string;
  /** `sentry.io`, `us.sentry.io`, `de.sentry.io` or the self-hosted host. */
  host: string;
  /** `https://{host}`. */
  base_url: string;
  /** Origin `sdk.fetch` resolves against (`/api/0/…` paths); `endpoints.apiBaseUrl` when set. */
  api_base_url: string;
  /** The org auth token: the name every runtime uses for the credential `sdk.fetch` sends. */
  access_token: string;
  /** @deprecated The same token as `access_token` (its 2.0-alpha name). */
  token: string;
  /** What the token can call: see `SentryOrgTokenKind`. */
  token_kind: SentryOrgTokenKind;
  /** `Authorization: Bearer <token>`. */
  headers: { Authorization: string };
}

/** Internal-integration tokens: 32 random bytes as hex, unprefixed (sentry models/apitoken.py; `sntryi_` is unused). */
const INTERNAL_INTEGRATION_TOKEN = /^[0-9a-f]{64}$/;

const optionsSchema = lazySchema((z) =>
  z.strictObject({
    id: z.string().regex(/^[a-z][a-z0-9_-]*$/, "must be lower-case letters, digits, '_' or '-'").max(64).optional(),
    host: sentryHostSchema().optional(),
    tokenPrefixes: z
      .array(z.string().min(1).max(32).regex(/^[A-Za-z0-9_]+$/, "must be letters, digits or '_'"))
      .optional(),
    endpoints: z.strictObject({ apiBaseUrl: originSchema().optional() }).optional(),
  }),
);

/**
 * Sentry org auth tokens (`sntrys_…`) and internal-integration tokens (64-hex): `createConnection({ provider: "sentry-org-token", account_id,
 * created_by, credentials: { token }, metadata: { org_slug, host? } })`. One connection per account, host and org.
 */
export function sentryOrgToken<const Id extends string = "sentry-org-token">(options: SentryOrgTokenOptions & { id?: Id } = {}): ProviderDefinition<NoInfer<Id>, SentryOrgTokenRuntime> {
  const parsed = parseOptions(optionsSchema(), options, "sentryOrgToken");
  const id = parsed.id ?? "sentry-org-token";
  const host = parsed.host ?? "sentry.io";
  const prefixes = parsed.tokenPrefixes ?? [];
  const kindOf = (token: string): SentryOrgTokenKind | undefined => {
    if (token.startsWith("sntrys_") && token.length >= 23) return "org_auth_token";
    if (INTERNAL_INTEGRATION_TOKEN.test(token)) return "internal_integration";
    return prefixes.some((prefix) => token.startsWith(prefix) && token.length >= prefix.length + 16) ? "other" : undefined;
  };
  const apiOrigin = parsed.endpoints?.apiBaseUrl;

  const z = zod();
  const credentialsSchema = z.strictObject({
    token: z
      .string()
      .max(4096)
      .regex(/^[\x21-\x7e]+$/, "must be a token without spaces or control characters")
      .refine((token) => kindOf(token) !== undefined, `must be a Sentry org auth token ("sntrys_…") or an internal-integration token (64 hex characters)${prefixes.length > 0 ? ` or start with ${prefixes.map((prefix) => `"${prefix}"`).join(" or ")}` : ""}`),
  });
  const metadataSchema = z.object({ org_slug: sentrySlugSchema(), host: allowedHostSchema(allowedHosts([host])).optional() }).loose();

  const provider = defineMappedCredentialsProvider<SentryOrgTokenCredentials>({
    id,
    metadataSchema,
    naturalKey: (draft) => {
      const metadata = draft.metadata as Partial<SentryOrgTokenMetadata>;
      return typeof metadata.org_slug === "string" ? `${metadata.host ?? host}/${metadata.org_slug}` : null;
    },
    schema: credentialsSchema,
    map: (credentials, integration) => {
      const metadata = parseInput(metadataSchema, integration.metadata, "integration.metadata");
      const connectionHost = metadata.host ?? host;
      return {
        org_slug: metadata.org_slug,
        host: connectionHost,
        base_url: `https://${connectionHost}`,
        api_base_url: originOf(apiOrigin, connectionHost),
        access_token: credentials.token,
        token: credentials.token,
        token_kind: kindOf(credentials.token) ?? "other",
        headers: { Authorization: `Bearer ${credentials.token}` },
      };
    },
  });
  return provider as unknown as ProviderDefinition<NoInfer<Id>, SentryOrgTokenRuntime>;
}
