// The install cookies: the SDK's `browser_binding` (for Sentry, the signed state itself) and the provider id of the
// install in flight. httpOnly (no script reads them), SameSite=Lax (sent on the provider's top-level redirect back,
// not on cross-site subrequests or POSTs), Secure on https, scoped to `/callback/{slug}` and as long-lived as the state.
import type { InstallUrlResult } from "@sdk/core";
import type { CookieOptions, Request, Response } from "express";
import type { CallbackSlug } from "./connectable-provider.js";

export function bindingCookieName(slug: CallbackSlug): string {
  return `install_binding_${slug}`;
}

export function providerCookieName(slug: CallbackSlug): string {
  return `install_provider_${slug}`;
}

export interface InstallCookieValues {
  binding: string | undefined;
  provider: string | undefined;
}

export class InstallCookies {
  readonly #secure: boolean;

  /** `secure`: add the `Secure` attribute (the service's public URL is https). */
  constructor(secure: boolean) {
    this.#secure = secure;
  }

  #options(slug: CallbackSlug): CookieOptions {
    return { httpOnly: true, sameSite: "lax", secure: this.#secure, path: `/callback/${slug}` };
  }

  set(response: Response, slug: CallbackSlug, provider: string, install: InstallUrlResult): void {
    const maxAge = Math.max(0, Date.parse(install.expires_at) - Date.now());
    response.cookie(bindingCookieName(slug), install.browser_binding, { ...this.#options(slug), maxAge });
    response.cookie(providerCookieName(slug), provider, { ...this.#options(slug), maxAge });
  }

  read(request: Request, slug: CallbackSlug): InstallCookieValues {
    const cookies = (request.cookies ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
    return { binding: text(cookies[bindingCookieName(slug)]), provider: text(cookies[providerCookieName(slug)]) };
  }

  clear(response: Response, slug: CallbackSlug): void {
    response.clearCookie(bindingCookieName(slug), this.#options(slug));
    response.clearCookie(providerCookieName(slug), this.#options(slug));
  }
}
