// Guards the two-major setup of vitest.config.ts: each project's `import "ioredis"` really loads its own major, so a
// broken alias cannot run every suite twice on the same client and report both majors green.
import { createRequire } from "node:module";
import * as ioredis from "ioredis";
import { expect, inject, it } from "vitest";

const { module, major } = inject("ioredis");
const require = createRequire(import.meta.url);

it(`import "ioredis" loads ioredis ${major} (${module})`, () => {
  const expected = require(module) as typeof ioredis;
  expect(ioredis.Redis).toBe(expected.Redis);
  expect(ioredis.Cluster).toBe(expected.Cluster);
  const { version } = require(`${module}/package.json`) as { version: string };
  expect(Number(version.split(".")[0])).toBe(major);
});
