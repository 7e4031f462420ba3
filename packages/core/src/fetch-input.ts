// Reads what a `fetch`-compatible caller passes (a path, a URL, or a Request as generated API clients build them)
// into the path and RequestInit that `sdk.fetch` sends. A Request's body is read into bytes so a 401 can be retried.
import { SdkError } from "./sdk-error.js";

/** What `sdk.fetch` and the function of `sdk.fetcher(id)` accept, as the standard `fetch` does. */
export type FetchInput = string | URL | Request;

/** A Request's parts as RequestInit; `init` given beside it wins, as in `fetch(request, init)`. */
export async function readFetchInput(input: FetchInput, init: RequestInit | undefined): Promise<{ path: unknown; init: RequestInit | undefined }> {
  if (input instanceof URL) return { path: input.href, init };
  if (!(input instanceof Request)) return { path: input, init };
  if (init !== undefined && (typeof init !== "object" || init === null)) return { path: input.url, init };
  const headers = new Headers(input.headers);
  // A caller's header given beside the Request replaces the Request's, as `new Request(request, init)` does.
  if (init?.headers !== undefined) new Headers(init.headers).forEach((value, name) => headers.set(name, value));
  let body: BodyInit | null | undefined = init?.body;
  if (body === undefined && input.body !== null) {
    try {
      body = await input.arrayBuffer();
    } catch (cause) {
      throw new SdkError("validation_failed", `"fetch.input" is a Request whose body cannot be read (already used?).`, { details: { field: "fetch.input" }, cause });
    }
  }
  return {
    path: input.url,
    init: {
      method: input.method,
      redirect: input.redirect,
      signal: input.signal,
      ...init,
      headers,
      ...(body !== undefined ? { body } : {}),
    },
  };
}
