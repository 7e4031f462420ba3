// The public input types of the SDK methods, typed by the registered providers' ids. Fields a web framework hands
// over as `string | null` (URLSearchParams.get, cookie parsers) accept null, which reads as "not given".
import type { CallbackQuery } from "./callback-query.js";

/** A value as a web framework hands it over: null and undefined both mean "not given". */
export type Given<T> = T | null | undefined;

export interface BuildInstallUrlInput<Id extends string = string> {
  /** A registered provider id. */
  provider: Id;
  /** The signed-in user starting the install. */
  user_id: string;
  /** The tenant the connection belongs to; the provider's `identityResolver` fills it when absent. */
  account_id?: Given<string>;
  /** @default user_id */
  created_by?: Given<string>;
  /** Extra scopes on top of the provider's defaults. */
  scopes?: string[];
  /** A caller-chosen browser binding (e.g. derived from the session); the SDK makes one when absent. */
  browser_binding?: Given<string>;
  /** Provider-specific install fields (Slack `team`, Atlassian `cloud_id`, ...). */
  [field: string]: unknown;
}

export interface HandleInstallCallbackInput<Id extends string = string> {
  /** The provider whose redirect this is (from your route, never from the query). */
  provider: Id;
  /**
   * The whole redirect query: `new URL(request.url)`, its `searchParams`, or Express `req.query`. Every field the
   * provider needs (`code`, `state`, `error`, Sentry's `installationId` / `orgSlug`, RFC 9207 `iss`) is read from it;
   * it can never set `provider` or `browser_binding`.
   */
  query?: CallbackQuery;
  /** The browser binding from the cookie set at `buildInstallUrl` (see `browserBindingCookie`). */
  browser_binding?: Given<string>;
  /** Explicit form (instead of `query`). */
  code?: Given<string>;
  state?: Given<string>;
  error?: Given<string>;
  error_description?: Given<string>;
  [field: string]: unknown;
}

export interface CompleteSiteSelectionInput {
  /** `details.selection_id` of the `atlassian_site_selection_required` error. */
  selection_id: Given<string>;
  /** The site the user picked. */
  cloud_id: Given<string>;
  browser_binding?: Given<string>;
  /** The signed-in user, when the caller knows it: checked against the user who started the install. */
  user_id?: Given<string>;
  /** The account, when the caller knows it: checked against the account of the install. */
  account_id?: Given<string>;
}
