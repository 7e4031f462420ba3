// The one clock shape every emulator (this package's and each provider's) reads time from. Tests pass a ManualClock
// and move it; a dev server or a multi-process run passes `{ now: () => Date.now() }`.

/**
 * What an emulator reads time from: milliseconds since the epoch. `now` is a property holding a function, so
 * `clock.now` can be handed to the SDK as is (`createSDK({ now: clock.now })`).
 */
export interface Clock {
  readonly now: () => number;
}
