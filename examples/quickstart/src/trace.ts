// Prints the walk-through as a short story a newcomer can follow: the words it uses, then per walk-through what it
// proves and one line per SDK call (with, where it is not obvious, what that line shows in plain words), then what to
// try next. Secrets never reach it as they are: `mask` keeps only the last four characters, enough to tell two apart.

export type Print = (line: string) => void;

export function mask(secret: string): string {
  return `••••${secret.slice(-4)}`;
}

const WIDTH = 112;

/** `text` cut into lines of at most WIDTH characters, each starting with `indent`. */
export function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length > indent.length && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = indent;
    }
    line += line.length > indent.length ? ` ${word}` : word;
  }
  if (line.length > indent.length) lines.push(line);
  return lines;
}

export class Trace {
  readonly #print: Print;
  #steps = 0;

  constructor(print: Print) {
    this.#print = print;
  }

  /** Number of step lines printed so far. */
  get steps(): number {
    return this.#steps;
  }

  heading(text: string): void {
    this.#print("");
    this.#print(text);
  }

  /** A walk-through's promise in plain words, under its heading. */
  proves(text: string): void {
    for (const line of wrap(`What this proves: ${text}`, "  ")) this.#print(line);
  }

  /** One progress line: the SDK call and what came of it; `meaning` says in plain words what that shows. */
  step(call: string, outcome: string, meaning?: string): void {
    this.#steps += 1;
    this.#print(`  ✓ ${call.padEnd(24)} ${outcome}`);
    if (meaning) for (const line of wrap(`↳ ${meaning}`, "      ")) this.#print(line);
  }

  note(text: string): void {
    this.#print(text);
  }

  /** A paragraph, wrapped. */
  paragraph(text: string, indent = ""): void {
    for (const line of wrap(text, indent)) this.#print(line);
  }
}
