import { packageTestConfig } from "../vitest.shared.js";

// `pnpm test:pack`: packs every @sdk/* package once (pack/global-setup.ts), imports the tarballs from ESM and CJS in a
// scratch project (pack/tarballs.test.ts), and runs a Slack + Jira install from strict TypeScript and from CommonJS
// in scratch projects on ioredis 5 and 6 (pack/scratch-install.test.ts).
export default packageTestConfig(import.meta.dirname, {
  include: ["pack/**/*.test.ts"],
  globalSetup: ["./pack/global-setup.ts"],
  testTimeout: 60_000,
  hookTimeout: 180_000,
});
