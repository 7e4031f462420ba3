// The one atomic write of RedisStore: a Lua script that compares a record with what the caller read and, in the same
// step, writes or deletes it, moves its natural-key owner key and its index sets, and publishes the id for record
// tiers. RedisStore plans the keys (redis-store-keys.ts); this file owns the script and its argument layout.
import type { RedisClient } from "./redis-client.js";
import { RedisScript } from "./redis-script.js";

// Compare-and-set of one record plus its natural-key owner key and index sets, in one atomic step. KEYS, in order:
// KEYS[1] the record; ARGV[4] owner keys the id releases (deleted only while they still hold the id); ARGV[5]
// owner keys it claims; ARGV[6] index sets it leaves; the remaining KEYS index sets it joins.
// ARGV[1] the JSON the caller read ('' = the record must not exist), ARGV[2] the JSON to store ('' = delete),
// ARGV[3] the id, ARGV[7] '1' when a claimed owner key held by another id refuses the write ('taken'), '0' when
// the record keeps its natural key: it then takes the owner key only if free (a record written before owner keys
// existed may share its key with another; its writes must not fail for that). Comparing the whole JSON, not only
// `version`, keeps the check exact even against writers that do not bump `version` (1.x).
// ARGV[8] the number of index sets joined; the KEYS after them are the scan's sorted sets (members = ids, score
// 0, read in lex order), left on delete and joined otherwise: account and provider never change after create.
// ARGV[9] the channel on which record tiers hear that the id changed.
const WRITE = new RedisScript(`
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if current then return 'exists' end
elseif not current then
  return 'missing'
elseif current ~= ARGV[1] then
  return 'changed'
end
local claim = 2 + tonumber(ARGV[4])
local sets = claim + tonumber(ARGV[5])
local join = sets + tonumber(ARGV[6])
if ARGV[7] == '1' then
  for i = claim, sets - 1 do
    local owner = redis.call('GET', KEYS[i])
    if owner and owner ~= ARGV[3] then return 'taken' end
  end
end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2]) end
for i = 2, claim - 1 do
  if redis.call('GET', KEYS[i]) == ARGV[3] then redis.call('DEL', KEYS[i]) end
end
for i = claim, sets - 1 do redis.call('SET', KEYS[i], ARGV[3], 'NX') end
for i = sets, join - 1 do redis.call('SREM', KEYS[i], ARGV[3]) end
local ordered = join + tonumber(ARGV[8])
for i = join, ordered - 1 do redis.call('SADD', KEYS[i], ARGV[3]) end
for i = ordered, #KEYS do
  if ARGV[2] == '' then redis.call('ZREM', KEYS[i], ARGV[3]) else redis.call('ZADD', KEYS[i], 0, ARGV[3]) end
end
redis.call('PUBLISH', ARGV[9], ARGV[3])
return 'ok'`);

export type WriteOutcome = "ok" | "exists" | "missing" | "changed" | "taken";

export interface WritePlan {
  /** The JSON the caller read ('' = the record must not exist). */
  expected: string;
  /** The JSON to store ('' = delete). */
  next: string;
  release: string[];
  claim: string[];
  /** True when a claimed owner key held by another id refuses the write. */
  exclusive: boolean;
  leave: string[];
  join: string[];
}

/** Runs one planned write. `record` is the key of the record itself; `scanKeys` are the scan's sorted sets. */
export async function writeRecord(client: RedisClient, id: string, plan: WritePlan, keys: { record: string; scan: string[]; channel: string }): Promise<WriteOutcome> {
  const scriptKeys = [keys.record, ...plan.release, ...plan.claim, ...plan.leave, ...plan.join, ...keys.scan];
  const args = [plan.expected, plan.next, id, plan.release.length, plan.claim.length, plan.leave.length, plan.exclusive ? "1" : "0", plan.join.length, keys.channel];
  return (await WRITE.run(client, scriptKeys, args)) as WriteOutcome;
}
