// The two entry points split the surface, they do not repeat it: no run-time name is exported by both (one way to
// import a thing), and the provider-author helpers stay out of the service entry.
import { describe, expect, it } from "vitest";
import * as main from "./index.js";
import * as kit from "./provider-kit.js";

describe("@sdk/core and @sdk/core/provider-kit", () => {
  it("export disjoint sets of run-time names", () => {
    const both = Object.keys(kit).filter((name) => name in main);
    expect(both).toEqual([]);
  });

  it("keep the provider-author helpers out of the main entry", () => {
    for (const name of ["parseInput", "internalKey", "accessTokenKey", "refreshLockKey", "readStoredRecord", "CredentialCipher", "IntegrationRepository", "webhookHeader", "idSchema"]) {
      expect(name in main, name).toBe(false);
      expect(name in kit, name).toBe(true);
    }
  });
});
