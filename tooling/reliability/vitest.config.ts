import { packageTestConfig } from "../vitest.shared.js";

// One scenario file at a time: each forks several node processes, and the machine has two cores for all of them.
export default packageTestConfig(import.meta.dirname, {
  globalSetup: ["./test/global-setup.ts"],
  fileParallelism: false,
  testTimeout: 60_000,
});
