// Where `sdk.fetch` may send a connection's credentials: the origin of its `api_base_url` and, below it, only the
// base URL's path (segment-wise), for the caller's path and for every redirect it follows. It only checks URLs; it
// never sends anything.
import { SdkError } from "./sdk-error.js";

/** Decoding rounds before a path is judged: `%252e` is `%2e` after one round and a dot after two. */
const DECODE_ROUNDS = 3;

/**
 * Whether the path part of `target` holds a `.` or `..` segment, raw or percent-encoded (`%2e`, `%252e`, `%2f`
 * as a separator), judged before the URL parser removes them: `/ex/jira/C1/../C2` must not reach site C2.
 */
export function hasDotSegment(target: string): boolean {
  let path = target.split(/[?#]/, 1)[0] ?? "";
  for (let round = 0; round <= DECODE_ROUNDS; round++) {
    if (path.split(/[/\\]/).some((segment) => segment === "." || segment === "..")) return true;
    const decoded = decodeAscii(path);
    if (decoded === path) return false;
    path = decoded;
  }
  return true;
}

/**
 * One decoding round of every ASCII escape (`%2e`, `%25`, `%2f`, ...), each on its own: a stray `%` or a broken UTF-8
 * escape elsewhere in the path (which makes `decodeURIComponent` throw) cannot hide `%252e` from the next round.
 * Non-ASCII escapes stay as they are; none of them can form a dot or a separator.
 */
function decodeAscii(path: string): string {
  return path.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** The base URL's path without a trailing slash ("" when the base is an origin). */
function basePath(base: URL): string {
  return base.pathname.replace(/\/+$/, "");
}

/** Whether `url` is on the base's origin and its path is the base path or below it, segment by segment. */
export function isInsideBase(base: URL, url: URL): boolean {
  if (url.origin !== base.origin) return false;
  const prefix = basePath(base);
  return prefix === "" || url.pathname === prefix || url.pathname.startsWith(`${prefix}/`);
}

function outside(base: URL, reason: string, extra: Record<string, unknown> = {}): SdkError {
  return new SdkError("validation_failed", `"fetch.path" must stay inside ${base.origin}${basePath(base) || "/"}: ${reason}; credentials are never sent elsewhere.`, {
    details: { field: "fetch.path", ...extra },
  });
}

/**
 * The URL a caller's `path` names: resolved against `apiBaseUrl` (an absolute URL is taken as it is), refused with
 * `validation_failed` (`fetch.path`) when it holds a dot segment or leaves the base URL's origin or path.
 */
export function resolveFetchTarget(apiBaseUrl: string, target: string): URL {
  const base = new URL(apiBaseUrl);
  if (hasDotSegment(target)) throw outside(base, "it holds a dot segment (. or .., raw or percent-encoded)");
  const absolute = /^https?:\/\//i.test(target);
  const url = absolute ? new URL(target) : new URL(apiBaseUrl.replace(/\/+$/, "") + (target.startsWith("/") ? target : `/${target}`));
  if (url.origin !== base.origin) throw outside(base, "another origin");
  if (!isInsideBase(base, url)) throw outside(base, "a path outside the base URL");
  return url;
}

/**
 * Checks a redirect that stays on the base's origin before it is followed with credentials: a dot segment or a path
 * outside the base is refused like a caller's path (`details.redirect_status` says it came from a redirect).
 */
export function checkRedirectTarget(apiBaseUrl: string, location: string, next: URL, status: number): void {
  const base = new URL(apiBaseUrl);
  if (hasDotSegment(location)) throw outside(base, `the API redirected (${status}) to a path with a dot segment`, { redirect_status: status });
  if (!isInsideBase(base, next)) throw outside(base, `the API redirected (${status}) outside the base URL`, { redirect_status: status });
}
