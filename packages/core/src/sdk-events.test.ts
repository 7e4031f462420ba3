// SdkEvents delivery and unsubscribe, and the README's events table kept in step with SDK_EVENT_NAMES.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { SDK_EVENT_NAMES, SdkEvents } from "./sdk-events.js";
import { recordingLogger } from "../test/recording-logger.js";

describe("SdkEvents", () => {
  it("delivers to every handler in subscription order and stops after unsubscribe", () => {
    const events = new SdkEvents(recordingLogger());
    const seen: string[] = [];
    const off = events.on("state.rejected", (payload) => void seen.push(`a:${payload.code}`));
    events.on("state.rejected", (payload) => void seen.push(`b:${payload.code}`));
    events.emit("state.rejected", { provider: "jira", code: "state_expired" });
    off();
    events.emit("state.rejected", { provider: "jira", code: "state_replayed" });
    expect(seen).toEqual(["a:state_expired", "b:state_expired", "b:state_replayed"]);
  });

  it("accepts a subscription to every event, including connection.revoked from provider webhooks", () => {
    const events = new SdkEvents(recordingLogger());
    const seen: string[] = [];
    for (const name of SDK_EVENT_NAMES) events.on(name, () => void seen.push(name));
    events.emit("connection.revoked", { provider: "sentry", integration_id: "i1", account_id: "a1", reason: "uninstalled" });
    expect(seen).toEqual(["connection.revoked"]);
  });

  it("the README's events table lists every event", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("## Events"), readme.indexOf("## Decisions beyond"));
    const listed = [...section.matchAll(/^\| `([a-z_]+\.[a-z_]+)` \| /gm)].map((match) => match[1]);
    expect(listed).toEqual([...SDK_EVENT_NAMES]);
  });
});
