// Provider text never reaches an SdkError: an `error` that is not an RFC 6749 error code (`invalid_grant rt_…`) is
// dropped, for the RFC mapping and for every provider's own mapper, at the engine's one boundary.
import { SdkError } from "@sdk/core";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../test/harness.js";
import { providerErrorCode } from "./provider-error-code.js";

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const ECHO = "rt_3c2f9e0d41a7bb55e0c4d2";

async function refreshFailure(h: Harness, body: unknown): Promise<SdkError> {
  const { integrationId } = await h.install();
  h.clock.advance(3600 * 1000);
  h.server.fault("token", { kind: "status", status: 400, body });
  try {
    await h.sdk.resolveConnection(integrationId);
  } catch (error) {
    if (SdkError.is(error)) return error;
    throw error;
  }
  throw new Error("expected an SdkError");
}

describe("provider error text is never echoed", () => {
  it("an RFC error with a token in `error` is provider_error without that text in message or details", async () => {
    const h = (harness = await startHarness());
    const error = await refreshFailure(h, { error: `invalid_grant ${ECHO}`, error_description: `token ${ECHO} is dead` });
    expect(error.code).toBe("provider_error");
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(ECHO);
    expect(error.details.provider_error).toBeUndefined();
  });

  it("a clean RFC error code is kept and mapped", async () => {
    const h = (harness = await startHarness());
    const error = await refreshFailure(h, { error: "invalid_grant" });
    expect(error).toMatchObject({ code: "reauth_required", details: { provider_error: "invalid_grant" } });
  });

  it("a provider's own mapper that copies provider text is cleaned at the engine's boundary", async () => {
    const h = (harness = await startHarness({
      provider: {
        mapError: (answer) => {
          const raw = (answer.body as { error?: string } | undefined)?.error;
          return raw ? new SdkError("provider_error", `acme said ${raw}`, { details: { provider: "acme", provider_error: raw } }) : undefined;
        },
      },
    }));
    const error = await refreshFailure(h, { error: `bad ${ECHO}` });
    expect(error.code).toBe("provider_error");
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(ECHO);
  });

  it("providerErrorCode keeps ^[a-z_]{1,64}$ only", () => {
    expect(providerErrorCode("invalid_grant")).toBe("invalid_grant");
    for (const bad of ["invalid_grant rt_x", "INVALID", "a".repeat(65), "", 42, undefined, "x\ny"]) expect(providerErrorCode(bad)).toBeUndefined();
  });
});
