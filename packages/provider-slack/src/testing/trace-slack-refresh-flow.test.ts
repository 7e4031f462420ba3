import { describe, expect, it } from "vitest";
import { traceSlackRefreshFlow } from "./trace-slack-refresh-flow.js";

describe("traceSlackRefreshFlow (pnpm trace:slack-requested-flow)", () => {
  it("shows one refresh per chain under its own lock, the waiting process, the CAS writes, and no secret", async () => {
    const trace = await traceSlackRefreshFlow({ resolvesPerProcess: 4 });
    expect(trace.ok).toBe(true);
    expect(trace.summary).toMatchObject({ resolves: 16, one_token_per_chain: true, reuse_detected: 0, secrets_found: 0 });
    expect(Object.values(trace.summary.refreshes_by_chain)).toEqual([1, 1]);
    expect(trace.summary.secrets_checked).toBeGreaterThanOrEqual(10);
    const lines = trace.text.split("\n");
    const find = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const acquired = find(/ A +cache +SETNX \S+:acct-1:refresh_lock .* acquired/);
    const held = find(/ B +cache +SETNX \S+:acct-1:refresh_lock .* held by someone else/);
    const asked = find(/ A +http +-> POST \/api\/oauth\.v2\.access grant_type=refresh_token refresh_token=<redacted/);
    const stored = find(/ A +store +CAS-UPDATE .* credentials changed: \[refresh_token\]$/);
    const released = find(/ A +cache +DEL-IF-OWNER \S+:acct-1:refresh_lock -> released/);
    const served = find(/ B +cache +GET \S+:acct-1:access_token -> hit/);
    for (const index of [acquired, held, asked, stored, released, served]) expect(index).toBeGreaterThan(0);
    expect(acquired).toBeLessThan(asked);
    expect(asked).toBeLessThan(stored);
    expect(stored).toBeLessThan(released);
    expect(held).toBeLessThan(served);
    expect(find(/CAS-UPDATE .* credentials changed: \[user_refresh_token\]$/)).toBeGreaterThan(0);
    expect(find(/SETNX \S+:user_refresh_lock .* acquired/)).toBeGreaterThan(0);
    expect(trace.text).not.toMatch(/xox[a-z]-|xoxe\./);
    expect(trace.steps.filter((step) => step.kind === "http" && step.text.startsWith("->") && step.text.includes("grant_type=refresh_token"))).toHaveLength(2);
  });
});
