// Prints the walk-through as a short readable trace: a heading per walk-through, one line per step. Secrets never
// reach it as they are: `mask` keeps only the last four characters, which is enough to tell two keys apart.

export type Print = (line: string) => void;

export function mask(secret: string): string {
  return `••••${secret.slice(-4)}`;
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

  /** One progress line: the SDK call and what came of it. */
  step(call: string, outcome: string): void {
    this.#steps += 1;
    this.#print(`  ✓ ${call.padEnd(24)} ${outcome}`);
  }

  note(text: string): void {
    this.#print(text);
  }
}
