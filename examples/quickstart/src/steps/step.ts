// What one walk-through of the quickstart is. Each file in steps/ exports one; steps/index.ts lists them in order.
// Later walk-throughs (OAuth providers on their emulators) add a file here and start what they need in `setup`.
import type { PersistentStore, ProviderInput, SDK } from "@sdk/core";
import type { ManualClock } from "@sdk/oauth/testing";
import type { DemoApi } from "../demo-api.js";
import type { Trace } from "../trace.js";

export interface StepSetup {
  /** Providers this walk-through registers in createSDK({ providers }). */
  providers: ProviderInput[];
  /** Stops what `setup` started (an emulator). */
  teardown?: () => Promise<void>;
}

export interface StepContext {
  sdk: SDK;
  /** The persistent store, read directly to show what is really stored (envelopes, not plaintext). */
  store: PersistentStore;
  /** The clock the SDK and every emulator share: `clock.advance(ms)` moves time past a token's expiry. */
  clock: ManualClock;
  api: DemoApi;
  trace: Trace;
}

export interface Step {
  title: string;
  /** What the walk-through proves, in plain words (printed under its title). */
  proves: string;
  setup(api: DemoApi, clock: ManualClock): Promise<StepSetup> | StepSetup;
  run(context: StepContext): Promise<void>;
}
