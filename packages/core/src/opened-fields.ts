// The credentials object a record hands out: each sealed field is opened (decrypted) the first time it is read, then
// kept as a plain value. One Proxy per record over a plain object, not an accessor per field: this runs on every
// resolve, and per-field accessors (Object.defineProperty) cost several times the rest of a cached resolve.

interface OpenedState {
  /** Field -> plain value, or the sealed value until it is first read. */
  values: Record<string, unknown>;
  /** Fields still sealed. */
  sealed: Set<string>;
  open: (field: string, sealed: unknown) => unknown;
}

function read(state: OpenedState, field: string): unknown {
  const plain = state.open(field, state.values[field]);
  state.values[field] = plain;
  state.sealed.delete(field);
  return plain;
}

function write(state: OpenedState, field: string, value: unknown): void {
  state.values[field] = value;
  state.sealed.delete(field);
}

// Behaves like a plain object of the fields: keys, `in`, Object.hasOwn and Object.keys never open a field; reading a
// value (directly, spread, Object.entries, JSON.stringify) opens it once. Writes and deletes replace it.
const handler: ProxyHandler<OpenedState> = {
  get: (state, field) => (typeof field === "string" && state.sealed.has(field) ? read(state, field) : Reflect.get(state.values, field)),
  set: (state, field, value) => {
    if (typeof field !== "string") return Reflect.set(state.values, field, value);
    write(state, field, value);
    return true;
  },
  has: (state, field) => Reflect.has(state.values, field),
  ownKeys: (state) => Reflect.ownKeys(state.values),
  getOwnPropertyDescriptor: (state, field) => {
    if (typeof field !== "string" || !state.sealed.has(field)) return Reflect.getOwnPropertyDescriptor(state.values, field);
    // An accessor, as a sealed field always was: describing the field does not open it.
    return { get: () => (state.sealed.has(field) ? read(state, field) : state.values[field]), set: (value: unknown) => write(state, field, value), enumerable: true, configurable: true };
  },
  deleteProperty: (state, field) => {
    if (typeof field === "string") state.sealed.delete(field);
    return Reflect.deleteProperty(state.values, field);
  },
  defineProperty: (state, field, descriptor) => {
    if (typeof field === "string") state.sealed.delete(field);
    return Reflect.defineProperty(state.values, field, descriptor);
  },
};

/**
 * `fields` with the ones `isSealed` names opened by `open(field, value)` on first read. The result is the SDK's own:
 * `fields` itself is never written.
 */
export function openedFields(fields: Record<string, unknown>, isSealed: (value: unknown) => boolean, open: (field: string, sealed: unknown) => unknown): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const sealed = new Set<string>();
  for (const field in fields) {
    if (!Object.hasOwn(fields, field)) continue;
    const value = fields[field];
    values[field] = value;
    if (isSealed(value)) sealed.add(field);
  }
  if (sealed.size === 0) return values;
  return new Proxy({ values, sealed, open }, handler) as unknown as Record<string, unknown>;
}
