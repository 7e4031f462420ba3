// GrantSiblings alone: one refresh lock per grant for siblings (per integration otherwise), a change copied to every
// sibling, and needs_reauth for the whole grant unless a re-install replaced the rejected token meanwhile.
import { type Integration } from "@sdk/core";
import { refreshLockKey, type ProviderContext } from "@sdk/core/provider-kit";
import { describe, expect, it } from "vitest";
import { partContext } from "../test/provider-context.js";
import { GrantSiblings } from "./grant-siblings.js";
import { tokenKey } from "./token-cache.js";

const family = (context: ProviderContext, integration: Integration) => context.integrations.list({ account_id: integration.account_id });

describe("GrantSiblings", () => {
  it("gives siblings one lock per grant and a provider without siblings one per integration", async () => {
    const { seed } = partContext();
    const record = await seed();
    const alone = new GrantSiblings({}, async () => undefined);
    expect(alone.lockKey(record, "")).toBe(refreshLockKey("acme", record.id, record.account_id));
    const grouped = new GrantSiblings({ family: "acmefam", grantSiblings: family, grantLockId: () => "user-9" }, async () => undefined);
    expect(grouped.lockKey(record, "user")).toBe(refreshLockKey("acmefam", "user-9", record.account_id, "user"));
  });

  it("copies a change to the other siblings and never lists the integration itself", async () => {
    const { context, seed } = partContext();
    const first = await seed({ credentials: { refresh_token: "r1" } });
    const second = await seed({ provider: "acme2", credentials: { refresh_token: "r1" } });
    const siblings = new GrantSiblings({ family: "f", grantSiblings: family }, async () => undefined);
    expect((await siblings.of(context, first)).map((item) => item.id)).toEqual([second.id]);
    await siblings.sync(context, first, (current) => ({ credentials: { ...current.credentials, refresh_token: "r2" } }));
    expect((await context.integrations.require(second.id)).credentials.refresh_token).toBe("r2");
    expect((await context.integrations.require(first.id)).credentials.refresh_token).toBe("r1");
  });

  it("marks the whole grant needs_reauth once, dropping cached tokens and emitting one event each", async () => {
    const { context, seed, cache, events } = partContext();
    const first = await seed({ credentials: { refresh_token: "dead" } });
    const second = await seed({ provider: "acme2", credentials: { refresh_token: "dead" } });
    for (const record of [first, second]) await cache.set(tokenKey(record, ""), "cached", 60_000);
    const invalidated: string[] = [];
    const siblings = new GrantSiblings({ family: "f", grantSiblings: family }, async (ctx, integration) => {
      invalidated.push(integration.id);
      await ctx.requireCache().delete(tokenKey(integration, ""));
    });
    await siblings.markNeedsReauth(context, first, "refresh rejected: invalid_grant", { field: "refresh_token", value: "dead" });
    await siblings.markNeedsReauth(context, first, "again");
    expect((await context.integrations.require(first.id)).status).toBe("needs_reauth");
    expect((await context.integrations.require(second.id)).status).toBe("needs_reauth");
    expect(invalidated).toEqual([first.id, second.id]);
    expect(await cache.get(tokenKey(second, ""))).toBeUndefined();
    expect(events.filter((event) => event.name === "connection.needs_reauth")).toHaveLength(2);
  });

  it("marks nothing when the record no longer holds the rejected refresh token (a re-install won)", async () => {
    const { context, seed, events } = partContext();
    const record = await seed({ credentials: { refresh_token: "fresh-from-reinstall" } });
    const siblings = new GrantSiblings({}, async () => undefined);
    await siblings.markNeedsReauth(context, record, "refresh rejected", { field: "refresh_token", value: "dead" });
    expect((await context.integrations.require(record.id)).status).toBe("active");
    expect(events).toHaveLength(0);
  });
});
