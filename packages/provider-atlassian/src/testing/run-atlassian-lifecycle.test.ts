// The rollout check itself runs in CI: every step passes on the emulator and the trace holds no secret.
import { describe, expect, it } from "vitest";
import { runAtlassianLifecycle } from "./run-atlassian-lifecycle.js";

describe("runAtlassianLifecycle", () => {
  it("passes every step on the emulator and writes a trace without secrets", async () => {
    const trace = await runAtlassianLifecycle();
    expect(trace.failure).toBeUndefined();
    expect(trace.ok).toBe(true);
    expect(trace.steps.map((step) => step.step)).toContain("confluence.complete_site_selection");
    expect(trace.emulator_stats).toMatchObject({ refreshes: 3, reuseDetected: 0, codeExchanges: 3 });
    const text = JSON.stringify(trace);
    expect(text).not.toMatch(/atl_(at|rt)_|code_[A-Za-z0-9_-]{8}|atlassian-test-client-secret-/);
  });
});
