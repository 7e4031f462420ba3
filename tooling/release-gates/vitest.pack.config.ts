import { packageTestConfig } from "../vitest.shared.js";

// `pnpm test:pack`: packs every @sdk/* package and imports the tarballs from ESM and CJS in a scratch project.
export default packageTestConfig(import.meta.dirname, { include: ["pack/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 120_000 });
