// Parses oauth.v2.access answers into tokens per chain: the bot token (top level) is the primary chain "", the user
// token (`authed_user`) is chain "user". Every field is checked before use; errors name the field, never its value.
import { SdkError } from "@sdk/core";
import { invalidResponse, type TokenFields } from "@sdk/oauth";
import { lazySchema } from "@sdk/core/provider-kit";
import type { z } from "zod";

const token = lazySchema((z) => z.string().min(1).max(16_384));
const scope = lazySchema((z) => z.string().max(8192));
const expiresIn = lazySchema((z) => z.coerce.number().positive());
/** Slack object ids (`T…` teams, `E…` enterprises, `U…`/`W…` users, `A…` apps): upper-case letters and digits. */
export const slackIdSchema = lazySchema((z) => z.string().regex(/^[A-Z0-9]{2,64}$/, "must be a Slack id (upper-case letters and digits)"));
const named = lazySchema((z) => z.object({ id: slackIdSchema(), name: z.string().max(512).optional() }));

/** One oauth.v2.access answer (code exchange or refresh). @see @slack/web-api OauthV2AccessResponse */
export const slackAccessSchema = lazySchema((z) =>
  z.object({
    ok: z.literal(true),
    app_id: slackIdSchema().optional(),
    access_token: token().optional(),
    token_type: z.string().max(32).optional(),
    scope: scope().optional(),
    refresh_token: token().optional(),
    expires_in: expiresIn().optional(),
    bot_user_id: slackIdSchema().optional(),
    team: named().nullish(),
    enterprise: named().nullish(),
    is_enterprise_install: z.boolean().optional(),
    authed_user: z
      .object({
        id: slackIdSchema(),
        access_token: token().optional(),
        token_type: z.string().max(32).optional(),
        scope: scope().optional(),
        refresh_token: token().optional(),
        expires_in: expiresIn().optional(),
      })
      .optional(),
    incoming_webhook: z
      .object({
        channel: z.string().max(256).optional(),
        channel_id: z.string().max(64).optional(),
        configuration_url: z.string().max(2048).optional(),
      })
      .optional(),
  }),
);

export type SlackAccessBody = z.infer<ReturnType<typeof slackAccessSchema>>;

type TokenSource = { access_token?: string | undefined; token_type?: string | undefined; scope?: string | undefined; refresh_token?: string | undefined; expires_in?: number | undefined };

/** Parses the whole body or throws `provider_response_invalid` naming the first bad field. */
export function parseSlackAccess(body: unknown): SlackAccessBody {
  const result = slackAccessSchema().safeParse(body);
  if (!result.success) throw invalidResponse("slack", result.error.issues[0], "oauth.v2.access response");
  return result.data;
}

function fields(source: TokenSource & { access_token: string }): TokenFields {
  return {
    access_token: source.access_token,
    ...(source.token_type !== undefined ? { token_type: source.token_type } : {}),
    ...(source.refresh_token !== undefined ? { refresh_token: source.refresh_token } : {}),
    ...(source.expires_in !== undefined ? { expires_in: source.expires_in } : {}),
    ...(source.scope !== undefined ? { scopes: source.scope.split(",").map((item) => item.trim()).filter(Boolean) } : {}),
  };
}

function invalidField(field: string, problem: string): SdkError {
  return new SdkError("provider_response_invalid", `"${field}" in slack oauth.v2.access response is ${problem}.`, { details: { provider: "slack", field } });
}

/**
 * The `parseTokenResponse` hook. A code exchange yields the bot chain when there is a top-level token and the user
 * chain when `authed_user` carries one (user-only installs have no top-level token()). A refresh yields the chain it
 * refreshed: a user-token refresh answers at the top level with `token_type: "user"` (or, tolerated, in `authed_user`).
 */
export function parseSlackTokenResponse(body: unknown, request: { grant: "authorization_code" | "refresh_token"; chain: string }): Record<string, TokenFields> {
  const parsed = parseSlackAccess(body);
  const top = parsed.access_token !== undefined ? { ...parsed, access_token: parsed.access_token } : undefined;
  const user = parsed.authed_user?.access_token !== undefined ? { ...parsed.authed_user, access_token: parsed.authed_user.access_token } : undefined;
  if (request.grant === "authorization_code") {
    const tokens: Record<string, TokenFields> = {};
    if (top) tokens[""] = fields(top);
    if (user) tokens.user = fields(user);
    if (!top && !user) throw invalidField("access_token", "missing");
    return tokens;
  }
  if (request.chain === "user") {
    if (user) return { user: fields(user) };
    if (!top) throw invalidField("access_token", "missing");
    if (top.token_type !== undefined && top.token_type !== "user") throw invalidField("token_type", "not the kind of token refreshed");
    return { user: fields(top) };
  }
  if (!top) throw invalidField("access_token", "missing");
  if (top.token_type !== undefined && top.token_type !== "bot") throw invalidField("token_type", "not the kind of token refreshed");
  return { [request.chain]: fields(top) };
}
