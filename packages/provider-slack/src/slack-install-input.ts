// The Slack-only parts of `buildInstallUrl({ ... })`: `team` (pre-selects a workspace), `user_scopes` (extra user
// scopes) and the comma-safe check of extra `scopes`. Validated before anything is signed or cached.
import { SdkError } from "@sdk/core";
import { lazySchema, parseInput, type InstallUrlInput } from "@sdk/core/provider-kit";
import type { z } from "zod";
import { slackScopeSchema } from "./slack-provider-options.js";

const installInputSchema = lazySchema((z) =>
  z.object({
    scopes: z.array(slackScopeSchema()).max(100).optional(),
    user_scopes: z.array(slackScopeSchema()).max(100).optional(),
    /** `team` on the authorize URL; an org id is accepted too (whether Slack honours it for org installs is UNSURE). */
    team: z.string().regex(/^[TE][A-Z0-9]{1,63}$/, "must be a Slack workspace id (T…) or org id (E…)").optional(),
  }),
);

export interface SlackInstallRequest {
  botScopes: string[];
  userScopes: string[];
  team: string | undefined;
}

/** Bot and user scopes of one install (configured plus per-install extras) and the pre-selected team. */
export function slackInstallRequest(input: InstallUrlInput, configured: { scopes: string[]; userScopes: string[] }): SlackInstallRequest {
  const extra = parseInput(installInputSchema(), { scopes: input.scopes, user_scopes: input.user_scopes, team: input.team }, "buildInstallUrl");
  const botScopes = [...new Set([...configured.scopes, ...(extra.scopes ?? [])])];
  const userScopes = [...new Set([...configured.userScopes, ...(extra.user_scopes ?? [])])];
  if (botScopes.length === 0 && userScopes.length === 0) {
    throw new SdkError("validation_failed", `"buildInstallUrl.scopes" is invalid: a Slack install needs at least one bot scope or user scope (slack({ scopes, userScopes })).`, {
      details: { field: "buildInstallUrl.scopes" },
    });
  }
  return { botScopes, userScopes, team: extra.team };
}
