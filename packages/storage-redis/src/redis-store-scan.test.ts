// RedisStore's fleet scan beyond the contract: the commands one page sends (seen through MONITOR: bounded, no KEYS,
// no whole-set reads), the backfill of records written before the scan sets existed, and a Cluster scan.
import type { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { connectCluster, connectStandalone, deleteMatching, integrationRecord, recordKey, uniqueName } from "../test/redis-harness.js";
import { RedisStore } from "./redis-store.js";

const { url, clusterNodes } = inject("redis");
const clusterSkipReason = clusterNodes.length > 0 ? undefined : "needs redis-server to start a local Redis Cluster";

let standalone: Redis;
let cluster: Cluster | undefined;
const prefixes: Array<[Redis | Cluster, string]> = [];

beforeAll(async () => {
  standalone = await connectStandalone(url);
  if (clusterNodes.length > 0) cluster = await connectCluster(clusterNodes);
});

afterAll(async () => {
  for (const [client, prefix] of prefixes) await deleteMatching(client, `{${prefix}}:*`);
  await Promise.all([standalone, cluster].map((client) => client?.quit()));
});

function freshStore(client: Redis | Cluster): { store: RedisStore; prefix: string } {
  const prefix = uniqueName("scan");
  prefixes.push([client, prefix]);
  return { store: new RedisStore(client, { keyPrefix: prefix }), prefix };
}

/**
 * A connection in MONITOR mode. ioredis (5 and 6) marks it "monitoring" one promise turn after MONITOR's `OK`
 * (`redis/event_handler.js`: `call("monitor").then(() => setStatus("monitoring"))`), so a monitor line that arrives in
 * the same socket read as that `OK` (the server is busy with the other test files sharing it) is taken for a command
 * reply and the connection fails with "Command queue state error". Such a connection is closed and a new one opened:
 * nothing is lost, since the commands a test watches are sent only after this resolves.
 */
async function startMonitor(): Promise<Redis> {
  for (let attempt = 1; ; attempt++) {
    const monitor = standalone.duplicate({ monitor: true, lazyConnect: false });
    try {
      await new Promise<void>((resolve, reject) => {
        monitor.once("monitoring", () => resolve());
        monitor.once("error", reject);
      });
      return monitor;
    } catch (error) {
      monitor.disconnect();
      if (attempt >= 5 || !/Command queue state error/.test(String(error))) throw error;
    }
  }
}

/**
 * Every command the server receives from this file's connection while `run` runs, as [name, ...args] in lower case
 * (MONITOR). Other test files share the server, and MONITOR shows their commands too (a SCAN of theirs is not ours).
 */
async function commandsDuring(run: () => Promise<void>): Promise<string[][]> {
  const monitor = await startMonitor();
  const seen: string[][] = [];
  // The server's own name for this connection (CLIENT INFO's addr=), in the form MONITOR reports it.
  const ours = /\baddr=(\S+)/.exec(String(await standalone.client("INFO")))?.[1];
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    if (source === ours) seen.push(args.map((arg, index) => (index === 0 ? arg.toLowerCase() : arg)));
  });
  try {
    await run();
    // MONITOR lines arrive asynchronously: a last PING marks the end of what `run` sent.
    await standalone.ping("scan-monitor-end");
    const started = Date.now();
    const ended = () => seen.some((args) => args[0] === "ping" && args[1] === "scan-monitor-end");
    while (!ended() && Date.now() - started < 5_000) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!ended()) throw new Error(`MONITOR never showed this connection's closing PING (addr ${ours ?? "unknown"})`);
  } finally {
    monitor.disconnect();
  }
  return seen;
}

describe("RedisStore scan", () => {
  it("reads at most `limit` ids per page with ZRANGEBYLEX and one MGET, never KEYS, SCAN or a whole set", async () => {
    const { store, prefix } = freshStore(standalone);
    const records = Array.from({ length: 45 }, (_, index) => integrationRecord({ natural_key: null, account_id: `acct-${index % 2}` }));
    for (const record of records) await store.create(record);
    await store.scan({ limit: 1 }); // the one-time backfill check happens before the measured pages

    const seen: string[] = [];
    const commands = await commandsDuring(async () => {
      let after: string | null | undefined;
      do {
        const page = await store.scan({ limit: 10, ...(after ? { after } : {}) });
        seen.push(...page.records.map((record) => record.id));
        after = page.after;
      } while (after);
    });
    expect(seen).toEqual(records.map((record) => record.id).sort());
    const names = commands.map((args) => args[0]);
    for (const forbidden of ["keys", "scan", "sscan", "smembers", "sunion", "sinter", "zrange", "hgetall"]) expect(names).not.toContain(forbidden);
    const ranges = commands.filter((args) => args[0] === "zrangebylex");
    expect(ranges).toHaveLength(5);
    for (const range of ranges) {
      expect(range[1]).toBe(`{${prefix}}:scan:all`);
      expect(range.slice(-3)).toEqual(["LIMIT", "0", "10"]);
    }
    for (const mget of commands.filter((args) => args[0] === "mget")) expect(mget.length - 1).toBeLessThanOrEqual(10);
  });

  it("pages an account through its own sorted set, not the whole store's", async () => {
    const { store, prefix } = freshStore(standalone);
    for (let index = 0; index < 30; index++) await store.create(integrationRecord({ natural_key: null, account_id: index < 3 ? "acct-small" : "acct-big" }));
    await store.scan({ limit: 1 });
    const commands = await commandsDuring(async () => {
      const page = await store.scan({ account_id: "acct-small", limit: 10 });
      expect(page.records).toHaveLength(3);
      expect(page.after).toBeNull();
    });
    const range = commands.find((args) => args[0] === "zrangebylex")!;
    expect(range[1]).toBe(`{${prefix}}:scan:account:acct-small`);
    const mget = commands.find((args) => args[0] === "mget")!;
    expect(mget).toHaveLength(4);
  });

  it("indexes records written before the scan sets existed, once, then marks the store", async () => {
    const { store, prefix } = freshStore(standalone);
    const fresh = integrationRecord({ natural_key: null });
    await store.create(fresh);
    // What RedisStore 2.0.0-alpha left: the record and its `all` entry, no scan sets.
    const old = Array.from({ length: 7 }, () => integrationRecord({ natural_key: null, provider: "slack" }));
    for (const record of old) {
      await standalone.set(recordKey(prefix, record.id), JSON.stringify(record));
      await standalone.sadd(`{${prefix}}:all`, record.id);
    }
    // An id whose record is gone is not indexed.
    await standalone.sadd(`{${prefix}}:all`, "gone-record");
    const page = await store.scan({ limit: 100 });
    expect(page.records.map((record) => record.id)).toEqual([fresh, ...old].map((record) => record.id).sort());
    expect(page.after).toBeNull();
    expect((await store.scan({ provider: "slack", limit: 100 })).records).toHaveLength(7);
    expect(await standalone.get(`{${prefix}}:scan:indexed`)).toBe("1");
    expect(await standalone.zscore(`{${prefix}}:scan:all`, "gone-record")).toBeNull();

    // Once marked, a second store object does not walk the `all` set again.
    const again = new RedisStore(standalone, { keyPrefix: prefix });
    const commands = await commandsDuring(async () => {
      await again.scan({ limit: 5 });
    });
    expect(commands.map((args) => args[0])).not.toContain("sscan");
  });

  it.skipIf(clusterSkipReason !== undefined)(`scans a store on a 3-master Cluster${clusterSkipReason ? ` (skipped: ${clusterSkipReason})` : ""}`, async () => {
    const { store } = freshStore(cluster!);
    const records = Array.from({ length: 25 }, () => integrationRecord({ natural_key: null }));
    for (const record of records) await store.create(record);
    await store.delete(records[3]!.id);
    const seen: string[] = [];
    let after: string | null | undefined;
    do {
      const page = await store.scan({ limit: 6, ...(after ? { after } : {}) });
      seen.push(...page.records.map((record) => record.id));
      after = page.after;
    } while (after);
    expect(seen).toEqual(records.filter((_, index) => index !== 3).map((record) => record.id).sort());
  });
});
