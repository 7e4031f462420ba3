// Runs every walk-through on the embedded default (MemoryStore + MemoryCache) against the local demo API, printing
// through `print`. Separate from main.ts so the test can run it and read what it printed.
import { randomBytes } from "node:crypto";
import { createSDK, type ProviderInput } from "@sdk/core";
import { ManualClock } from "@sdk/oauth/testing";
import { startDemoApi, type DemoApi } from "./demo-api.js";
import { openDemoStores } from "./demo-stores.js";
import type { Step, StepSetup } from "./steps/step.js";
import { steps as allSteps } from "./steps/index.js";
import { printIntroduction, printNextSteps } from "./narrative.js";
import { Trace, type Print } from "./trace.js";

export interface QuickstartResult {
  walkThroughs: number;
  steps: number;
}

export interface QuickstartOptions {
  print: Print;
  steps?: readonly Step[];
  /** The demo API to call; one is started (and stopped) when absent. */
  api?: DemoApi;
  /** REDIS_URL / MONGODB_URL switch the demo to RedisCache / MongoStore. @default process.env */
  env?: NodeJS.ProcessEnv;
}

export async function runQuickstart({ print, steps = allSteps, api: given, env = process.env }: QuickstartOptions): Promise<QuickstartResult> {
  const trace = new Trace(print);
  const api = given ?? (await startDemoApi());
  // One clock for the SDK and every emulator, starting now: a walk-through moves it to pass a token's expiry.
  const clock = new ManualClock(Date.now());
  const stores = await openDemoStores(env, clock.now);
  const setups: StepSetup[] = [];
  try {
    for (const step of steps) setups.push(await step.setup(api, clock));
    const { store, cache } = stores;
    const sdk = createSDK({
      store,
      cache,
      now: clock.now,
      // Throwaway keys for this run; a service reads its key rings from its secret manager.
      encryption: { keys: [{ id: "demo-key", key: randomBytes(32).toString("base64") }] },
      state: { secrets: [{ id: "demo-state", secret: randomBytes(32).toString("base64url") }] },
      providers: setups.flatMap((setup): ProviderInput[] => setup.providers),
    });
    printIntroduction(trace, `${stores.label} as storage, a demo API at ${api.url} and the provider emulators`);
    for (const [index, step] of steps.entries()) {
      trace.heading(`[${index + 1}/${steps.length}] ${step.title}`);
      trace.proves(step.proves);
      await step.run({ sdk, store, api, trace, clock });
    }
    await sdk.close();
    trace.heading(`Done: ${steps.length} walk-throughs, ${trace.steps} SDK calls, no secret printed.`);
    printNextSteps(trace);
    return { walkThroughs: steps.length, steps: trace.steps };
  } finally {
    for (const setup of setups) await setup.teardown?.();
    await stores.close();
    if (!given) await api.close();
  }
}
