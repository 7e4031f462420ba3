import { packageTestConfig } from "../vitest.shared.js";

// The pack test (pack/) installs tarballs with npm and runs on its own: `pnpm test:pack`.
export default packageTestConfig(import.meta.dirname, { include: ["src/**/*.test.ts"] });
