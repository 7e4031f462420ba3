import { packageConfig } from "../../tooling/tsup.shared.js";

export default packageConfig({"index":"src/index.ts","testing":"src/testing.ts"});
