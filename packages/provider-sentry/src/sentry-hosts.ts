// Where Sentry lives: the SaaS region hosts, host / slug / installation-id formats, and the origin overrides an
// emulator or a proxy gives. Both provider modes validate with these so a token is only ever sent to a known host.
import { lazySchema, urlSchema } from "@sdk/core/provider-kit";
import type { z } from "zod";

/** Sentry SaaS hosts: `sentry.io` (the control silo, and US), the US and EU region API hosts. */
export const SENTRY_SAAS_HOSTS = ["sentry.io", "us.sentry.io", "de.sentry.io"] as const;

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";

/** A host name with an optional port, lower case, no scheme or path: `sentry.io`, `sentry.example.com:8443`. */
export const sentryHostSchema = lazySchema((z) =>
  z
    .string()
    .max(253)
    .regex(new RegExp(`^${LABEL}(?:\\.${LABEL})*(?::\\d{1,5})?$`), "must be a host name such as sentry.io or de.sentry.io (lower case, no scheme, no path)"),
);

/** Sentry's slug rule (organization and app slugs): lower-case letters, digits, `-` and `_`, not only digits. */
export const sentrySlugSchema = lazySchema((z) =>
  z
    .string()
    .min(1)
    .max(64)
    .regex(/^(?![0-9]+$)[a-z0-9_-]+$/, "must be a Sentry slug (lower-case letters, digits, '-' or '_')"),
);

/** The installation UUID of Sentry's redirect; it also goes into URL paths, so nothing else passes. */
export const installationIdSchema = lazySchema((z) =>
  z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be the installation UUID from Sentry's redirect"),
);

/** An origin (scheme, host, port) without path, query or fragment. */
export const originSchema = lazySchema(() =>
  urlSchema().refine(
    (value) => new URL(value).origin === value.replace(/\/+$/, ""),
    "must be an origin such as https://sentry.io, without a path: Sentry API paths start with /api/0/",
  ),
);

/** The hosts a connection may name: the configured ones, plus every SaaS host when a configured one is SaaS. */
export function allowedHosts(configured: readonly string[]): Set<string> {
  const hosts = new Set(configured);
  if (configured.some((host) => (SENTRY_SAAS_HOSTS as readonly string[]).includes(host))) for (const host of SENTRY_SAAS_HOSTS) hosts.add(host);
  return hosts;
}

/** A host schema that only lets the given hosts through (a token is never sent to a host the app did not configure). */
export function allowedHostSchema(hosts: Set<string>) {
  return sentryHostSchema().refine((host) => hosts.has(host), `must be one of the configured Sentry hosts (${[...hosts].join(", ")})`);
}

export function originOf(override: string | undefined, host: string): string {
  return override ? override.replace(/\/+$/, "") : `https://${host}`;
}
