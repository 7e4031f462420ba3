// Awaits a promise that must reject with an SdkError and returns that error, so a test asserts on code and details.
import { SdkError } from "../src/sdk-error.js";

export async function failure(promise: Promise<unknown>): Promise<SdkError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!SdkError.is(error)) throw new Error(`expected an SdkError, got ${String(error)}`);
  return error;
}
