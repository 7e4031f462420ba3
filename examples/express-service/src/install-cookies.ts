// The install cookies: the SDK's `browser_binding` and the provider id of the install in flight. httpOnly (no script
// reads them), SameSite=Lax (sent on the provider's top-level redirect back, not on cross-site subrequests or POSTs),
// as long-lived as the state. On https they are `__Host-` cookies (Secure, Path=/, no Domain: no sibling subdomain
// or plain-http page can set or shadow them); on plain http (dev) they are scoped to `/callback/{slug}`.
import type { InstallUrlResult } from "@sdk/core";
import { createBrowserBinding } from "@sdk/oauth";
import type { CookieOptions, Request, Response } from "express";
import type { CallbackSlug } from "./connectable-provider.js";

/** Ten minutes: the SDK's state lifetime, and the longest a pending install waits. */
const INSTALL_MAX_AGE_MS = 600_000;

export function bindingCookieName(slug: CallbackSlug, secure = false): string {
  return `${secure ? "__Host-" : ""}install_binding_${slug}`;
}

export function providerCookieName(slug: CallbackSlug, secure = false): string {
  return `${secure ? "__Host-" : ""}install_provider_${slug}`;
}

export interface InstallCookieValues {
  binding: string | undefined;
  provider: string | undefined;
}

export class InstallCookies {
  readonly #secure: boolean;

  /** `secure`: the service's public URL is https (`Secure` and the `__Host-` prefix). */
  constructor(secure: boolean) {
    this.#secure = secure;
  }

  #options(slug: CallbackSlug): CookieOptions {
    // A `__Host-` cookie must have Path=/ (the browser refuses it otherwise).
    return { httpOnly: true, sameSite: "lax", secure: this.#secure, path: this.#secure ? "/" : `/callback/${slug}` };
  }

  set(response: Response, slug: CallbackSlug, provider: string, install: InstallUrlResult): void {
    const maxAge = Math.max(0, Date.parse(install.expires_at) - Date.now());
    response.cookie(bindingCookieName(slug, this.#secure), install.browser_binding, { ...this.#options(slug), maxAge });
    response.cookie(providerCookieName(slug, this.#secure), provider, { ...this.#options(slug), maxAge });
  }

  /**
   * A fresh binding for a callback the service did not start (an install begun on the provider's site): the pending
   * install it may become is bound to this browser, so only this browser can confirm it.
   */
  bindNew(response: Response, slug: CallbackSlug): string {
    const binding = createBrowserBinding();
    response.cookie(bindingCookieName(slug, this.#secure), binding, { ...this.#options(slug), maxAge: INSTALL_MAX_AGE_MS });
    return binding;
  }

  read(request: Request, slug: CallbackSlug): InstallCookieValues {
    const cookies = (request.cookies ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
    return { binding: text(cookies[bindingCookieName(slug, this.#secure)]), provider: text(cookies[providerCookieName(slug, this.#secure)]) };
  }

  clear(response: Response, slug: CallbackSlug): void {
    response.clearCookie(bindingCookieName(slug, this.#secure), this.#options(slug));
    response.clearCookie(providerCookieName(slug, this.#secure), this.#options(slug));
  }
}
