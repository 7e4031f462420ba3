// Keeps secrets out of the `cause` of an SdkError. Drivers may quote what they were given in their errors (MongoDB's
// document-validation failures carry the document, ioredis errors carry the command's arguments); such a cause is
// replaced by one that names the driver error only. Other causes stay as they are: ECONNREFUSED is what an operator needs.

/** The string leaves of a value (credentials being written). */
export function secretStrings(value: unknown, found: string[] = []): string[] {
  if (typeof value === "string") found.push(value);
  else if (value && typeof value === "object") for (const item of Object.values(value)) secretStrings(item, found);
  return found;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return ""; // circular or BigInt: the message and stack are still checked
  }
}

function describeError(error: unknown, depth = 0): string {
  if (typeof error === "string") return error;
  if (!(error instanceof Error) || depth > 5) return safeJson(error);
  return `${error.message}\n${error.stack ?? ""}\n${safeJson(error)}\n${describeError(error.cause, depth + 1)}`;
}

/** `error` itself, or a stand-in of the same name when its message, stack, fields or causes contain one of `secrets`. */
export function withoutSecrets(error: unknown, secrets: readonly string[]): unknown {
  // Very short values ("1", a lock flag) would match any port number; they are not what a secret looks like.
  const present = secrets.filter((secret) => secret.length >= 6);
  if (present.length === 0) return error;
  const text = describeError(error);
  if (!present.some((secret) => text.includes(secret))) return error;
  const name = error instanceof Error ? error.name : typeof error;
  return Object.assign(new Error(`${name} (message withheld: it quoted a value the SDK keeps secret)`), { name });
}
