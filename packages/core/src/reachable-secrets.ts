// Test helper: which of `secrets` can be read from an object through its public surface — util.inspect (hidden
// properties, any depth), JSON.stringify, and a walk of every own property and symbol. Private (#) fields and closures
// are out of reach, which is where provider objects keep client and signing secrets.
import { inspect } from "node:util";

/** The planted secrets found in `value`'s printed, serialised or walked forms (empty when none is reachable). */
export function reachableSecrets(value: unknown, secrets: readonly string[]): string[] {
  const texts = [inspect(value, { depth: Infinity, showHidden: true, getters: true }), safeJson(value), ...walkStrings(value)];
  return secrets.filter((secret) => texts.some((text) => text.includes(secret)));
}

function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return JSON.stringify(value, (_key, field: unknown) => {
      if (typeof field === "object" && field !== null) {
        if (seen.has(field)) return "[cycle]";
        seen.add(field);
      }
      return field;
    }) ?? "";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function walkStrings(root: unknown): string[] {
  const found: string[] = [];
  const seen = new WeakSet<object>();
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === "string") found.push(value);
    if ((typeof value !== "object" && typeof value !== "function") || value === null || depth > 20 || seen.has(value)) return;
    seen.add(value);
    for (let target: object | null = value; target && target !== Object.prototype && target !== Function.prototype; target = Object.getPrototypeOf(target)) {
      for (const key of Reflect.ownKeys(target)) {
        const descriptor = Object.getOwnPropertyDescriptor(target, key);
        if (descriptor && "value" in descriptor) visit(descriptor.value, depth + 1);
      }
    }
  };
  visit(root, 0);
  return found;
}
