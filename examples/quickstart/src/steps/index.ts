// The walk-throughs of the quickstart, in the order they run. Add a step file and list it here.
import { apiKeyStep } from "./api-key-step.js";
import { atlassianStep } from "./atlassian-step.js";
import { mappedCredentialsStep } from "./mapped-credentials-step.js";
import { sentryStep } from "./sentry-step.js";
import { slackStep } from "./slack-step.js";
import type { Step } from "./step.js";

export const steps: readonly Step[] = [apiKeyStep, mappedCredentialsStep, atlassianStep, slackStep, sentryStep];
