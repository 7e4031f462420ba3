// For planted-secret scans: runs calls that may fail and keeps what every thrown error exposes, to search later.
// Test-only (exported from @sdk/core/testing).
import { describeErrorChain } from "./describe-error-chain.js";

export interface ErrorRecorder {
  /** What each caught error exposed (describeErrorChain), oldest first. */
  readonly texts: string[];
  /** Runs `run`; a throw is recorded and turns into undefined. */
  capture<T>(run: () => Promise<T>): Promise<T | undefined>;
}

export function recordErrors(depth?: number): ErrorRecorder {
  const texts: string[] = [];
  return {
    texts,
    async capture(run) {
      try {
        return await run();
      } catch (error) {
        texts.push(describeErrorChain(error, depth));
        return undefined;
      }
    },
  };
}
