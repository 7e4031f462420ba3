// The cookie recipe for `browser_binding`, as Set-Cookie / Cookie header text so it works with any HTTP framework.
// It owns the name and the flags (httpOnly, SameSite=Lax, Secure + `__Host-` on https, Path=/) and the lifetime.
import { SdkError } from "./sdk-error.js";

export interface BrowserBindingCookieOptions {
  /**
   * Whether the service is served over https. Then the cookie is `Secure` and its name carries the `__Host-` prefix,
   * which browsers accept only from a secure origin, with `Path=/` and no `Domain` (no subdomain can set or read it).
   * Turn it off only for http://localhost development.
   * @default true
   * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#name-the-__host-prefix
   */
  secure?: boolean;
  /** Distinguishes installs a browser runs at the same time (one cookie per provider or callback route). @default "install" */
  name?: string;
  /** Lifetime in seconds; keep it equal to createSDK's `state.ttlSeconds`. @default 600 */
  maxAgeSeconds?: number;
}

export interface BrowserBindingCookie {
  /** The cookie's name: `__Host-sdk_binding_{name}` on https, `sdk_binding_{name}` otherwise. */
  readonly name: string;
  /** The flags, for frameworks that take them as options (Express `res.cookie`: pass `maxAge: maxAgeSeconds * 1000`). */
  readonly attributes: { readonly httpOnly: true; readonly secure: boolean; readonly sameSite: "lax"; readonly path: "/"; readonly maxAgeSeconds: number };
  /** `Set-Cookie` header value that stores a binding (after `buildInstallUrl`). */
  serialize(binding: string): string;
  /** `Set-Cookie` header value that deletes the cookie (after the callback, whatever its outcome). */
  serializeClear(): string;
  /** The binding from a request's `Cookie` header; null when absent (pass it to `handleInstallCallback` as it is). */
  parse(cookieHeader: string | null | undefined): string | null;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The browser-binding cookie: httpOnly (no script reads it), SameSite=Lax (sent on the provider's top-level redirect
 * back to the callback, not on cross-site subrequests or POSTs), Secure with the `__Host-` prefix on https.
 */
export function browserBindingCookie(options: BrowserBindingCookieOptions = {}): BrowserBindingCookie {
  const secure = options.secure ?? true;
  const base = options.name ?? "install";
  if (!NAME.test(base)) throw new SdkError("misconfigured", `browserBindingCookie option "name" must be 1-64 letters, digits, '_' or '-'.`, { details: { field: "name" } });
  const maxAgeSeconds = options.maxAgeSeconds ?? 600;
  if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 30 || maxAgeSeconds > 3600) {
    throw new SdkError("misconfigured", `browserBindingCookie option "maxAgeSeconds" must be an integer from 30 to 3600.`, { details: { field: "maxAgeSeconds" } });
  }
  const name = `${secure ? "__Host-" : ""}sdk_binding_${base}`;
  const flags = `Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
  return {
    name,
    attributes: { httpOnly: true, secure, sameSite: "lax", path: "/", maxAgeSeconds },
    serialize: (binding) => `${name}=${encodeURIComponent(binding)}; Max-Age=${maxAgeSeconds}; ${flags}`,
    serializeClear: () => `${name}=; Max-Age=0; ${flags}`,
    parse(cookieHeader) {
      if (!cookieHeader) return null;
      for (const pair of cookieHeader.split(";")) {
        const at = pair.indexOf("=");
        if (at < 0 || pair.slice(0, at).trim() !== name) continue;
        const value = pair.slice(at + 1).trim();
        try {
          return value === "" ? null : decodeURIComponent(value);
        } catch {
          return null;
        }
      }
      return null;
    },
  };
}
