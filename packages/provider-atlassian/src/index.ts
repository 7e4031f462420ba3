// @sdk/provider-atlassian: Jira, Jira Service Management and Confluence on one Atlassian OAuth 2.0 (3LO) app, with
// site selection and rotating refresh tokens shared by the sibling integrations of one Atlassian user (DESIGN.md section 8).
export { atlassian, type AtlassianProvider } from "./atlassian.js";
export { ATLASSIAN_ERROR_CODES } from "./atlassian-errors.js";
export {
  ATLASSIAN_ALWAYS_SCOPES,
  ATLASSIAN_DEFAULT_SCOPES,
  ATLASSIAN_FAMILY,
  ATLASSIAN_PRODUCTS,
  type AtlassianEndpointOverrides,
  type AtlassianOptions,
  type AtlassianProduct,
} from "./atlassian-options.js";
export type { AtlassianRuntime, AtlassianRuntimeFields } from "./atlassian-runtime.js";
export type { ParkedSelection, SelectableSite } from "./site-selection-store.js";
