// A valid stored record for store tests: unique id and account, increasing created_at, an envelope-shaped credential.
// The contract suites and each store package's own tests build their records from it.
import type { Integration } from "./integration.js";

let sequence = 0;

export function sampleIntegration(overrides: Partial<Integration> = {}): Integration {
  sequence += 1;
  const created = new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString();
  return {
    id: `int-${process.pid}-${sequence}-${Math.random().toString(36).slice(2, 8)}`,
    provider: "jira",
    account_id: `acct-${sequence}`,
    created_by: "user-1",
    auth_type: "oauth2",
    status: "active",
    scopes: ["read:jira-work", "offline_access"],
    credentials: { refresh_token: { v: 1, kid: "k1", iv: "aXY", tag: "dGFn", ct: "Y3Q" } },
    metadata: { cloud_id: "cloud-1", nested: { list: [1, "two", { three: true }] } },
    natural_key: null,
    version: 1,
    created_at: created,
    updated_at: created,
    ...overrides,
  };
}
