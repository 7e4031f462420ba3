// The signed install state (DESIGN section 6): base64url(payload) "." base64url(HMAC-SHA256(secret[kid], payload)).
// Verification runs the fixed check order and throws exactly one code. Replay (nonce consumption) is the caller's
// last step, after every other check passed, so a rejected state burns nothing.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { SdkError } from "@sdk/core";
import { lazySchema, type StateConfig } from "@sdk/core/provider-kit";
import type { z } from "zod";

const MAX_STATE_LENGTH = 4096;
const B64URL = /^[A-Za-z0-9_-]+$/;

const payloadSchema = lazySchema((z) =>
  z.strictObject({
    v: z.literal(1),
    kid: z.string().min(1).max(64),
    nonce: z.string().regex(B64URL).min(22).max(64),
    iat: z.number().int().nonnegative(),
    exp: z.number().int().nonnegative(),
    provider: z.string().min(1).max(64),
    user_id: z.string().min(1).max(256),
    account_id: z.string().min(1).max(256).nullable(),
    created_by: z.string().min(1).max(256).nullable(),
    /** SHA-256 (hex) of the browser binding; null when binding is off. */
    binding: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
    /** Install context: requested scopes, preselected cloud_id, sibling ids... never a secret. */
    ctx: z.record(z.string(), z.unknown()),
  }),
);

export type StatePayload = z.infer<ReturnType<typeof payloadSchema>>;

export type StateRejectCode =
  | "state_missing"
  | "state_malformed"
  | "state_bad_signature"
  | "state_expired"
  | "state_provider_mismatch"
  | "state_binding_mismatch"
  | "state_replayed";

const MESSAGES: Record<StateRejectCode, string> = {
  state_missing: "The callback carries no state: start the install again from buildInstallUrl.",
  state_malformed: "The callback state is not a state this SDK issued: start the install again.",
  state_bad_signature: "The callback state failed signature verification (altered, or signed with a key not in state.secrets).",
  state_expired: "The install state expired: start the install again.",
  state_provider_mismatch: "The callback state was issued for another provider.",
  state_binding_mismatch: "The callback does not come from the browser that started the install (browser binding missing or different).",
  state_replayed: "The install state was already used: start the install again.",
};

export function stateError(code: StateRejectCode, provider: string | undefined): SdkError {
  return new SdkError(code, MESSAGES[code], { details: { provider } });
}

export function hashBinding(binding: string): string {
  return createHash("sha256").update(binding, "utf8").digest("hex");
}

/** A fresh browser binding: 32 random bytes, base64url. */
export function createBrowserBinding(): string {
  return randomBytes(32).toString("base64url");
}

function sign(secret: string, encodedPayload: string): Buffer {
  return createHmac("sha256", secret).update(encodedPayload, "utf8").digest();
}

function equalConstantTime(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface SignStateInput {
  provider: string;
  user_id: string;
  account_id: string | null;
  created_by: string | null;
  /** The browser binding to hash into the state, or null when binding is off. */
  browserBinding: string | null;
  ctx: Record<string, unknown>;
}

/** Signs a new state with the first secret of the ring. */
export function signState(config: StateConfig, nowMs: number, input: SignStateInput): { state: string; payload: StatePayload } {
  const secret = config.secrets[0];
  if (!secret) throw new SdkError("misconfigured", "Install state needs createSDK({ state: { secrets } }).", { details: { field: "state.secrets" } });
  const iat = Math.floor(nowMs / 1000);
  const payload: StatePayload = {
    v: 1,
    kid: secret.id,
    nonce: randomBytes(18).toString("base64url"),
    iat,
    exp: iat + config.ttlSeconds,
    provider: input.provider,
    user_id: input.user_id,
    account_id: input.account_id,
    created_by: input.created_by,
    binding: input.browserBinding === null ? null : hashBinding(input.browserBinding),
    ctx: input.ctx,
  };
  const encoded = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return { state: `${encoded}.${sign(secret.secret, encoded).toString("base64url")}`, payload };
}

export interface VerifyStateInput {
  state: string | undefined;
  provider: string;
  browserBinding: string | undefined;
  nowMs: number;
}

/**
 * Runs checks 1-6 of the fixed order (missing, malformed, signature, expiry, provider, binding) and returns the
 * payload. The caller consumes the nonce (check 7, replay) only after this returned.
 */
export function verifyState(config: StateConfig, input: VerifyStateInput): StatePayload {
  const reject = (code: StateRejectCode) => stateError(code, input.provider);
  if (input.state === undefined || input.state === "") throw reject("state_missing");
  if (input.state.length > MAX_STATE_LENGTH) throw reject("state_malformed");
  const parts = input.state.split(".");
  if (parts.length !== 2 || !B64URL.test(parts[0]!) || !B64URL.test(parts[1]!)) throw reject("state_malformed");
  const [encoded, signature] = parts as [string, string];
  let payload: StatePayload;
  try {
    const decoded = Buffer.from(encoded, "base64url");
    // Reject non-canonical encodings: the bytes must re-encode to exactly what was received.
    if (decoded.toString("base64url") !== encoded) throw new Error("non-canonical");
    const parsed = payloadSchema().safeParse(JSON.parse(decoded.toString("utf8")));
    if (!parsed.success) throw new Error("schema");
    payload = parsed.data;
  } catch {
    throw reject("state_malformed");
  }
  const secret = config.secrets.find((candidate) => candidate.id === payload.kid);
  if (!secret) throw reject("state_bad_signature");
  const given = Buffer.from(signature, "base64url");
  if (given.toString("base64url") !== signature || !equalConstantTime(given, sign(secret.secret, encoded))) throw reject("state_bad_signature");
  if (input.nowMs >= payload.exp * 1000) throw reject("state_expired");
  if (payload.provider !== input.provider) throw reject("state_provider_mismatch");
  const bindingRequired = config.browserBinding === "required" || payload.binding !== null;
  if (bindingRequired) {
    if (payload.binding === null || input.browserBinding === undefined || input.browserBinding === "") throw reject("state_binding_mismatch");
    if (!equalConstantTime(Buffer.from(hashBinding(input.browserBinding), "hex"), Buffer.from(payload.binding, "hex"))) throw reject("state_binding_mismatch");
  }
  return payload;
}
