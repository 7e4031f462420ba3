// The SdkErrors RedisStore's writes throw: stable codes, and details naming the integration (never a credential).
import { SdkError } from "@sdk/core";

export function notFound(id: string): SdkError {
  return new SdkError("integration_not_found", `Integration "${id}" does not exist.`, { details: { integration_id: id } });
}

export function naturalKeyTaken(id: string): SdkError {
  return new SdkError("integration_exists", "Another integration of this provider and account already has that natural key.", {
    details: { integration_id: id, conflict: "natural_key" },
  });
}

export function conflict(id: string, expectedVersion: number, actualVersion: number): SdkError {
  return new SdkError("integration_conflict", `Integration "${id}" changed since it was read; read it again and retry.`, {
    details: { integration_id: id, expected_version: expectedVersion, actual_version: actualVersion },
  });
}
