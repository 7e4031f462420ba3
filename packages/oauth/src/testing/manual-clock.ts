// A clock that only moves when told to. Emulators and the SDK share one so expiry is tested without sleeping.
import type { Clock } from "./clock.js";

/** The emulators' default clock: starts at 2026-01-01T00:00:00Z and moves only with `advance` / `set`. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  /** Milliseconds since the epoch; pass `clock.now` wherever a `now()` is taken. */
  readonly now = (): number => this.#now;

  advance(ms: number): void {
    this.#now += ms;
  }

  set(ms: number): void {
    this.#now = ms;
  }
}
