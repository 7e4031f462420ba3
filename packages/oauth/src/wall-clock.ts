// The wall clock, named. The SDK's injected `now` (createSDK({ now })) decides what is expired: tokens, state, idle
// grants. Leases, deadlines, backoff and waits are measured here instead, on real time, because what they race runs on
// real time too: Redis expires a lock's lease by its own clock, and AbortSignal / setTimeout fire in real milliseconds.
// A test that moves its clock an hour must not make a held lease look expired or a 2 s deadline look spent.

/** Milliseconds since the epoch, real time. Use `context.now()` for anything a test's clock should move. */
export function wallClockNow(): number {
  return Date.now();
}
