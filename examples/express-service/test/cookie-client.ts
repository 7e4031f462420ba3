// A browser stand-in for HTTP-level tests: fetch without following redirects, plus a cookie jar for one origin
// (names and values only; every cookie goes with every request to that origin, which is enough for these routes).

export class CookieClient {
  readonly #origin: string;
  readonly #cookies = new Map<string, string>();
  /** Every body this client received, so a test can scan what a browser would have shown. */
  readonly bodies: string[] = [];

  constructor(origin: string) {
    this.#origin = origin;
  }

  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  deleteCookie(name: string): void {
    this.#cookies.delete(name);
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (new URL(url).origin === this.#origin && this.#cookies.size > 0) {
      headers.set("cookie", [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    }
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const [name = "", value = ""] = pair.split("=", 2).map((part) => part.trim());
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute)) || /expires=thu, 01 jan 1970/i.test(line);
      if (expired || value === "") this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    this.bodies.push(await response.clone().text());
    return response;
  }

  /** A same-origin form POST, as the service's own pages send it. */
  post(url: string, fields: Record<string, string>): Promise<Response> {
    return this.request(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: this.#origin, "sec-fetch-site": "same-origin" }, body: new URLSearchParams(fields) });
  }
}
