// Every record write of the engine (rotated refresh tokens, sibling sync, needs_reauth) goes through this
// compare-and-set: re-read, decide, write against the version read, again on conflict. A record deleted meanwhile is
// "skipped", never an error: there is nothing left to write for a deleted connection.
import { SdkError, type Integration } from "@sdk/core";
import { type ProviderContext } from "@sdk/core/provider-kit";

/** The patch a compare-and-set writes; `change` returns undefined when the current record needs nothing. */
export type RecordChange = (current: Integration) => Parameters<ProviderContext["integrations"]["update"]>[1] | undefined;

const ATTEMPTS = 8;

/**
 * `known`: the record as the caller read it from the store (never from a tier) moments ago, e.g. under the refresh lock
 * before the token call. The first attempt decides on it and writes against its version, saving a read; a record that
 * moved meanwhile fails that write with a conflict, and the next attempt re-reads as always.
 */
export async function compareAndSet(context: ProviderContext, id: string, change: RecordChange, known?: Integration): Promise<"written" | "skipped"> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = attempt === 0 && known ? known : await context.integrations.get(id);
    if (!current) return "skipped";
    const changes = change(current);
    // Only the store's current record can say that nothing is needed, never one read earlier.
    if (!changes && current === known) continue;
    if (!changes) return "skipped";
    try {
      await context.integrations.update(current, changes);
      return "written";
    } catch (error) {
      // Deleted between the read and the write (a concurrent deleteConnection): skipped like a vanished record, so the
      // caller goes on to its clean-up (the rotation journal) as for any skipped write.
      if (SdkError.is(error, "integration_not_found")) return "skipped";
      if (!SdkError.is(error, "integration_conflict")) throw error;
    }
  }
  throw new SdkError("integration_conflict", `Integration "${id}" kept changing during the write; retry.`, { details: { integration_id: id } });
}
