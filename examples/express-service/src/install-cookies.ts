// The install cookies: the SDK's `browser_binding`, kept with core's `browserBindingCookie` recipe (httpOnly,
// SameSite=Lax, Path=/, as long-lived as the state; on https `Secure` with the `__Host-` prefix, so no sibling
// subdomain or plain-http page can set or shadow it), and beside it the provider id of the install in flight, with
// the same attributes. This file writes no cookie flag of its own.
import { browserBindingCookie, type BrowserBindingCookie, type InstallUrlResult } from "@sdk/core";
import { createBrowserBinding } from "@sdk/oauth";
import type { CookieOptions, Request, Response } from "express";
import type { CallbackSlug } from "./connectable-provider.js";

/** One binding cookie per callback, so installs of two providers in two tabs do not overwrite each other. */
function bindingCookie(slug: CallbackSlug, secure: boolean): BrowserBindingCookie {
  return browserBindingCookie({ name: slug, secure });
}

export function bindingCookieName(slug: CallbackSlug, secure = false): string {
  return bindingCookie(slug, secure).name;
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

  /** The binding cookie's attributes in Express's form, for the provider cookie that travels with it. */
  #providerOptions(cookie: BrowserBindingCookie): CookieOptions {
    const { maxAgeSeconds, ...flags } = cookie.attributes;
    return { ...flags, maxAge: maxAgeSeconds * 1000 };
  }

  set(response: Response, slug: CallbackSlug, provider: string, install: InstallUrlResult): void {
    const cookie = bindingCookie(slug, this.#secure);
    response.append("Set-Cookie", cookie.serialize(install.browser_binding));
    response.cookie(providerCookieName(slug, this.#secure), provider, this.#providerOptions(cookie));
  }

  /**
   * A fresh binding for a callback the service did not start (an install begun on the provider's site): the pending
   * install it may become is bound to this browser, so only this browser can confirm it.
   */
  bindNew(response: Response, slug: CallbackSlug): string {
    const binding = createBrowserBinding();
    response.append("Set-Cookie", bindingCookie(slug, this.#secure).serialize(binding));
    return binding;
  }

  read(request: Request, slug: CallbackSlug): InstallCookieValues {
    const provider = ((request.cookies ?? {}) as Record<string, unknown>)[providerCookieName(slug, this.#secure)];
    return {
      binding: bindingCookie(slug, this.#secure).parse(request.headers.cookie) ?? undefined,
      provider: typeof provider === "string" && provider !== "" ? provider : undefined,
    };
  }

  clear(response: Response, slug: CallbackSlug): void {
    const cookie = bindingCookie(slug, this.#secure);
    response.append("Set-Cookie", cookie.serializeClear());
    const { maxAge: _lifetime, ...flags } = this.#providerOptions(cookie);
    response.clearCookie(providerCookieName(slug, this.#secure), flags);
  }
}
