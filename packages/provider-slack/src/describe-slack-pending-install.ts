// Installs the service did not start (an Enterprise Grid org admin installing org-wide, an install from the Slack
// App Directory without a Direct Install URL): what a parked grant is about, for the confirmation page. Ids and
// names only, never a token: the grant is shown to the user and the metadata is stored in plaintext.
import type { PendingInstallHooks } from "@sdk/oauth";
import { parseSlackAccess } from "./parse-slack-token-response.js";
import { slackInstallMetadata } from "./slack-install-metadata.js";

/** The `describe` hook of `slack({ providerStartedInstalls: "pending" })`. */
export const describeSlackPendingInstall: PendingInstallHooks["describe"] = async (_context, { body }) => {
  const metadata = slackInstallMetadata(parseSlackAccess(body));
  const grant: Record<string, string> = { install: metadata.is_enterprise_install ? "organization" : "workspace" };
  if (metadata.enterprise_id) grant.enterprise_id = metadata.enterprise_id;
  if (metadata.enterprise_name) grant.enterprise_name = metadata.enterprise_name;
  if (metadata.team_id) grant.team_id = metadata.team_id;
  if (metadata.team_name) grant.team_name = metadata.team_name;
  if (metadata.authed_user_id) grant.installed_by = metadata.authed_user_id;
  return { metadata: { ...metadata }, grant };
};
