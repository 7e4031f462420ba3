// Every record write of the engine (rotated refresh tokens, sibling sync, needs_reauth) goes through this
// compare-and-set: re-read, decide, write against the version read, again on conflict. A record deleted meanwhile is
// "skipped", never an error: there is nothing left to write for a deleted connection.
import { SdkError, type Integration } from "@sdk/core";
import { type ProviderContext } from "@sdk/core/provider-kit";

/** The patch a compare-and-set writes; `change` returns undefined when the current record needs nothing. */
export type RecordChange = (current: Integration) => Parameters<ProviderContext["integrations"]["update"]>[1] | undefined;

const ATTEMPTS = 8;

export async function compareAndSet(context: ProviderContext, id: string, change: RecordChange): Promise<"written" | "skipped"> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await context.integrations.get(id);
    if (!current) return "skipped";
    const changes = change(current);
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
