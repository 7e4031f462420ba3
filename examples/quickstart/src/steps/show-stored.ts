// Describes how a record's credentials sit in the store (encryption envelopes), without their values.
import type { PersistentStore } from "@sdk/core";

export async function describeStored(store: PersistentStore, id: string): Promise<string> {
  const record = await store.get(id);
  if (!record) return "not stored";
  const fields = Object.entries(record.credentials).map(([field, value]) => {
    const kid = value && typeof value === "object" && "kid" in value ? String((value as { kid: unknown }).kid) : undefined;
    return kid ? `${field} encrypted (kid ${kid})` : `${field} in plaintext`;
  });
  return fields.join(", ");
}
