// Server-side HTML as template strings with escaping by default: every interpolated value is escaped unless it is
// already `SafeHtml` (the result of another `html` template), so provider-supplied names can never inject markup.

export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (character) => ENTITIES[character]!);
}

function fragment(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(fragment).join("");
  if (value === undefined || value === null || value === false) return "";
  return escapeHtml(value);
}

/** `html\`<p>${name}</p>\``: values escaped, nested `html` kept, arrays joined, `undefined` / `null` / `false` omitted. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, part, index) => out + part + (index < values.length ? fragment(values[index]) : ""), ""));
}
