// Runs every walk-through on the embedded default (MemoryStore + MemoryCache) against the local demo API, printing
// through `print`. Separate from main.ts so the test can run it and read what it printed.
import { randomBytes } from "node:crypto";
import { createSDK, MemoryCache, MemoryStore, type ProviderInput } from "@sdk/core";
import { startDemoApi, type DemoApi } from "./demo-api.js";
import type { Step, StepSetup } from "./steps/step.js";
import { steps as allSteps } from "./steps/index.js";
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
}

export async function runQuickstart({ print, steps = allSteps, api: given }: QuickstartOptions): Promise<QuickstartResult> {
  const trace = new Trace(print);
  const api = given ?? (await startDemoApi());
  const setups: StepSetup[] = [];
  try {
    for (const step of steps) setups.push(await step.setup(api));
    const store = new MemoryStore();
    const sdk = createSDK({
      store,
      cache: new MemoryCache(),
      // A throwaway key for this run; a service reads its key ring from its secret manager.
      encryption: { keys: [{ id: "demo-key", key: randomBytes(32).toString("base64") }] },
      providers: setups.flatMap((setup): ProviderInput[] => setup.providers),
    });
    trace.note(`Integration SDK quickstart: embedded MemoryStore + MemoryCache, demo API at ${api.url}`);
    for (const [index, step] of steps.entries()) {
      trace.heading(`[${index + 1}/${steps.length}] ${step.title}`);
      await step.run({ sdk, store, api, trace });
    }
    await sdk.close();
    trace.heading(`done: ${steps.length} walk-throughs, ${trace.steps} steps; secrets shown masked (last 4 characters only)`);
    return { walkThroughs: steps.length, steps: trace.steps };
  } finally {
    for (const setup of setups) await setup.teardown?.();
    if (!given) await api.close();
  }
}
