// Reads one header of a webhook request as frameworks hand headers over (any case, a string or a list), for the
// providers' signature checks. A header sent twice is no single value: it reads as absent, never as a guess.
import type { WebhookInput } from "./provider.js";

/** The single value of a header (names are case-insensitive); undefined when absent or given more than once. */
export function webhookHeader(headers: WebhookInput["headers"], name: string): string | undefined {
  const wanted = name.toLowerCase();
  const values = Object.entries(headers)
    .filter(([key, value]) => key.toLowerCase() === wanted && value !== undefined)
    .flatMap(([, value]) => (Array.isArray(value) ? value : [value as string]));
  return values.length === 1 ? values[0] : undefined;
}
