// `sentryOrgToken()`: Sentry organization auth tokens (`sntrys_…`, internal integrations and org tokens) as a
// non-OAuth provider of its own id. The token is static (it does not expire), so resolving makes no network call;
// the org slug and the region host are validated on input and the token only ever goes to a configured host.
import { defineMappedCredentialsProvider, parseInput, type ProviderDefinition, type Runtime } from "@sdk/core";
import { z } from "zod";
import { misconfigured } from "./misconfigured.js";
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
   * Accepted token prefixes. UNSURE: the wire facts document `sntrys_` for org tokens; add others (e.g. a legacy
   * unprefixed internal-integration token cannot be checked) only when you know your tokens.
   * @default ["sntrys_"]
   * @see https://docs.sentry.io/api/auth/
   */
  tokenPrefixes?: string[];
  /** Origin override for an emulator or a proxy (replaces `https://{host}`). */
  endpoints?: { apiBaseUrl?: string };
}

/** Credentials of a `sentry-org-token` connection. */
export type SentryOrgTokenCredentials = {
  /** The organization auth token, `sntrys_…`. */
  token: string;
};

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
  /** `Authorization: Bearer <token>`. */
  headers: { Authorization: string };
}

const optionsSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/, "must be lower-case letters, digits, '_' or '-'").max(64).optional(),
  host: sentryHostSchema.optional(),
  tokenPrefixes: z
    .array(z.string().min(1).max(32).regex(/^[A-Za-z0-9_]+$/, "must be letters, digits or '_'"))
    .min(1)
    .optional(),
  endpoints: z.strictObject({ apiBaseUrl: originSchema.optional() }).optional(),
});

/**
 * Sentry organization auth tokens (`sntrys_…`): `createConnection({ provider: "sentry-org-token", account_id,
 * created_by, credentials: { token }, metadata: { org_slug, host? } })`. One connection per account, host and org.
 */
export function sentryOrgToken<const Id extends string = "sentry-org-token">(options: SentryOrgTokenOptions & { id?: Id } = {}): ProviderDefinition<NoInfer<Id>, SentryOrgTokenRuntime> {
  const checked = optionsSchema.safeParse(options);
  if (!checked.success) throw misconfigured("sentryOrgToken", checked.error.issues[0]!);
  const id = checked.data.id ?? "sentry-org-token";
  const host = checked.data.host ?? "sentry.io";
  const prefixes = checked.data.tokenPrefixes ?? ["sntrys_"];
  const apiOrigin = checked.data.endpoints?.apiBaseUrl;

  const credentialsSchema = z.strictObject({
    token: z
      .string()
      .max(4096)
      .regex(/^[\x21-\x7e]+$/, "must be a token without spaces or control characters")
      .refine((token) => prefixes.some((prefix) => token.startsWith(prefix) && token.length >= prefix.length + 16), `must be a Sentry organization auth token (starts with ${prefixes.map((prefix) => `"${prefix}"`).join(" or ")})`),
  });
  const metadataSchema = z.object({ org_slug: sentrySlugSchema, host: allowedHostSchema(allowedHosts([host])).optional() }).loose();

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
        headers: { Authorization: `Bearer ${credentials.token}` },
      };
    },
  });
  return provider as unknown as ProviderDefinition<NoInfer<Id>, SentryOrgTokenRuntime>;
}
