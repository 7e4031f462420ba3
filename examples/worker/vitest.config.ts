import { packageTestConfig } from "../../tooling/vitest.shared.js";

export default packageTestConfig(import.meta.dirname);
