import { packageTestConfig } from "../../tooling/vitest.shared.js";

// Every suite runs once per supported ioredis major (the peer range), each major installed once as a dev dependency:
// `ioredis` (5) and the alias `ioredis6` (npm:ioredis@^6). A project maps the tests' `import "ioredis"` onto its copy,
// so no suite is duplicated; a new major is one more line here (and one alias in package.json).
const IOREDIS_MAJORS: Record<number, string> = { 5: "ioredis", 6: "ioredis6" };

export default packageTestConfig(import.meta.dirname, {
  globalSetup: ["./test/global-setup.ts"],
  projects: Object.entries(IOREDIS_MAJORS).map(([major, module]) => ({
    extends: true,
    test: { name: `ioredis@${major}`, provide: { ioredis: { module, major: Number(major) } } },
    resolve: { alias: module === "ioredis" ? {} : { ioredis: module } },
  })),
});
