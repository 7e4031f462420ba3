import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifySentrySignature } from "./verify-sentry-signature.js";

const SECRET = "sentry-client-secret-value";
const BODY = JSON.stringify({ action: "deleted", installation: { uuid: "0b7f7f2e-2a4c-4a39-9a52-4b2fd0f0c7a1" } });
const sign = (body: string, secret = SECRET) => createHmac("sha256", secret).update(body).digest("hex");

describe("verifySentrySignature", () => {
  it("accepts the hex HMAC-SHA256 of the exact body, as a string or bytes, in either hex case", () => {
    expect(verifySentrySignature(BODY, sign(BODY), SECRET)).toBe(true);
    expect(verifySentrySignature(Buffer.from(BODY), sign(BODY), SECRET)).toBe(true);
    expect(verifySentrySignature(BODY, sign(BODY).toUpperCase(), SECRET)).toBe(true);
  });

  it("rejects another secret, a changed body, a re-serialised body and a truncated signature", () => {
    expect(verifySentrySignature(BODY, sign(BODY, "another-secret"), SECRET)).toBe(false);
    expect(verifySentrySignature(BODY.replace("deleted", "created"), sign(BODY), SECRET)).toBe(false);
    expect(verifySentrySignature(JSON.stringify(JSON.parse(BODY), null, 2), sign(BODY), SECRET)).toBe(false);
    expect(verifySentrySignature(BODY, sign(BODY).slice(0, 62), SECRET)).toBe(false);
  });

  it("rejects a missing, empty or non-hex signature and an empty secret without throwing", () => {
    for (const signature of [undefined, null, "", "z".repeat(64), `sha256=${sign(BODY)}`]) expect(verifySentrySignature(BODY, signature, SECRET)).toBe(false);
    expect(verifySentrySignature(BODY, sign(BODY, ""), "")).toBe(false);
  });
});
