// One Atlassian sandbox factory per test file: each started sandbox is closed after its test, and the file's defaults
// (encryption key, fast retries) apply unless a test overrides them (a top-level key replaces the default's).
import { afterEach } from "vitest";
import { startAtlassianSandbox, type AtlassianSandbox, type AtlassianSandboxOptions } from "../src/testing.js";

export function sandboxes(defaults: AtlassianSandboxOptions = {}): (options?: AtlassianSandboxOptions) => Promise<AtlassianSandbox> {
  const running: AtlassianSandbox[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sandbox) => sandbox.close()));
  });
  return async (options = {}) => {
    const started = await startAtlassianSandbox({ ...defaults, ...options });
    running.push(started);
    return started;
  };
}
