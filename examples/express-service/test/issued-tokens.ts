// Test helper for the secret scans: watches globalThis.fetch (the seam the SDK talks to the providers through) and
// collects every token a JSON answer carried (access, refresh, bot and user tokens, under any key naming a token),
// so a scan can plant the refresh tokens the service never shows, not only the access tokens it can resolve.
import { vi } from "vitest";

/** Starts watching; returns the live set of token strings seen and a function that stops watching. */
export function watchIssuedTokens(): { tokens: Set<string>; stop: () => void } {
  const tokens = new Set<string>();
  const original = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const response = await original(input, init);
    if (response.headers.get("content-type")?.includes("json")) {
      const body = await response.clone().json().catch(() => undefined);
      collect(body, tokens, 0);
    }
    return response;
  });
  return { tokens, stop: () => spy.mockRestore() };
}

function collect(value: unknown, tokens: Set<string>, depth: number): void {
  if (typeof value !== "object" || value === null || depth > 8) return;
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === "string" && /token/i.test(key) && !/type|expires/i.test(key) && field.length >= 16) tokens.add(field);
    else collect(field, tokens, depth + 1);
  }
}
