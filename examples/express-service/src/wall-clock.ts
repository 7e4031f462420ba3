// A clock for the dev emulators that follows real time. The emulators take a ManualClock (tests move it); a running
// service needs codes, states and tokens to expire as they would at the provider, so this one ticks on its own and
// `advance` still works (to try an expiry by hand from a debugger or a script).
import { ManualClock } from "@sdk/oauth/testing";

export class WallClock extends ManualClock {
  #offset = 0;

  override readonly now = (): number => Date.now() + this.#offset;

  override advance(ms: number): void {
    this.#offset += ms;
  }

  override set(ms: number): void {
    this.#offset = ms - Date.now();
  }
}
