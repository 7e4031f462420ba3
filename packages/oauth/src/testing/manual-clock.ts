// A clock that only moves when told to. Emulators and the SDK share one so expiry is tested without sleeping.

export class ManualClock {
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
