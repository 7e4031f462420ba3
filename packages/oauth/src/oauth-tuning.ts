// The tuning every OAuth provider shares (HTTP deadline, retries, refresh skew, refresh-lock lease, refresh-ahead): one schema and one
// type, so provider packages validate and pass them the same way instead of re-declaring each field.
import { lazySchema } from "@sdk/core/provider-kit";
import type { z } from "zod";
import type { RetryOptions } from "./token-client.js";

/** Tuning of the engine's HTTP calls and refresh protocol; every field is optional and has the engine's default. */
export interface OAuthTuning {
  /** Deadline of one HTTP attempt, in ms (at most 120000). @default 10000 */
  timeoutMs?: number;
  /** Retries on 5xx, 429 (honouring Retry-After) and network errors; never on other 4xx. @default { attempts: 3, baseDelayMs: 200, maxDelayMs: 5000 } */
  retry?: RetryOptions;
  /** Refresh this long before expiry, in seconds; capped at half a token's lifetime. @default 60 */
  skewSeconds?: number;
  /** Refresh-lock lease, in ms; keep it above timeoutMs x attempts plus backoff. @default 45000 */
  lockLeaseMs?: number;
  /**
   * Refresh-ahead window, in seconds before the refresh skew: a resolve that finds its cached token this close to the
   * skew still gets that token at once, and one caller across all processes refreshes it in the background (the
   * refresh lock taken without waiting). Never starts before half a token's lifetime. 0 turns it off. Needs a provider
   * whose old access token stays valid after a refresh (not Sentry, where it must stay 0).
   * @default 300
   */
  refreshAheadSeconds?: number;
}

/** The schema of `OAuthTuning`; provider packages spread `oauthTuningSchema().shape` into their options schema. */
export const oauthTuningSchema = lazySchema((z) =>
  z.strictObject({
    timeoutMs: z.number().int().positive().max(120_000).optional(),
    retry: z
      .strictObject({
        attempts: z.number().int().min(1).max(10).optional(),
        baseDelayMs: z.number().int().nonnegative().optional(),
        maxDelayMs: z.number().int().nonnegative().optional(),
      })
      .optional(),
    skewSeconds: z.number().int().nonnegative().max(86_400).optional(),
    lockLeaseMs: z.number().int().positive().optional(),
    refreshAheadSeconds: z.number().int().nonnegative().max(86_400).optional(),
  }),
);

/** The tuning fields of a provider's options that are set (an unset field keeps the engine's default). */
export function pickTuning(options: OAuthTuning): OAuthTuning {
  const tuning: OAuthTuning = {};
  if (options.timeoutMs !== undefined) tuning.timeoutMs = options.timeoutMs;
  if (options.retry !== undefined) tuning.retry = options.retry;
  if (options.skewSeconds !== undefined) tuning.skewSeconds = options.skewSeconds;
  if (options.lockLeaseMs !== undefined) tuning.lockLeaseMs = options.lockLeaseMs;
  if (options.refreshAheadSeconds !== undefined) tuning.refreshAheadSeconds = options.refreshAheadSeconds;
  return tuning;
}
