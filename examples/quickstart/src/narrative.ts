// The words around the trace: what the demo is, the jargon defined once before it is used, and what to try next.
// Kept apart from the walk-throughs so the story can be read (and edited) in one place.
import type { Trace } from "./trace.js";

const GLOSSARY: ReadonlyArray<readonly [string, string]> = [
  ["provider", "the outside service a customer connects: an API that takes a key, or an OAuth app (Atlassian, Slack, Sentry)"],
  ["connection", "one customer account linked to one provider: a stored record with ids, a status and encrypted credentials"],
  ["credentials", "what proves to the provider who is calling: an API key, or OAuth tokens"],
  ["access token", "a short-lived OAuth credential sent with every API call; it expires within minutes or hours"],
  ["refresh token", "a long-lived credential that buys a new access token; providers that rotate it hand out a new one each time, and only the newest works, so it must be saved"],
  ["install", "the OAuth dance: your service sends the user to the provider, the user consents, the provider redirects back with a one-time code"],
  ["state, binding", "the signed value on that redirect, and the cookie that ties it to the browser that started the install (a forged or replayed redirect is refused)"],
  ["emulator", "a local stand-in that answers like the real provider (same URLs, bodies, errors, token lifetimes)"],
  ["kid", "key id: which of your encryption keys sealed a stored credential"],
  ["••••abcd", "a secret, masked: only its last four characters are printed"],
];

const NEXT: ReadonlyArray<readonly [string, string]> = [
  ["pnpm service:dev", "the same installs in your browser: an Express service on these emulators at http://127.0.0.1:3000/connections"],
  ["examples/quickstart/src/steps/", "each walk-through above is one short file of SDK calls to copy from"],
  ["REDIS_URL=redis://127.0.0.1:6379 pnpm demo", "the same run with tokens and locks in Redis (MONGODB_URL=… for records in MongoDB)"],
  ["packages/core/README.md", "connect an API of your own with defineApiKeyProvider / defineMappedCredentialsProvider; any OAuth server with defineOAuthProvider (packages/oauth/README.md)"],
  ["pnpm test", "every package's tests, including many processes racing to refresh one token on a real Redis"],
];

export function printIntroduction(trace: Trace, where: string): void {
  trace.note("Integration SDK demo");
  trace.paragraph(
    "A backend service uses this SDK to connect its customers' accounts at other companies (Jira, Slack, Sentry, any API) " +
      "and to get working credentials for them whenever it needs to call those APIs. Below, five short walk-throughs " +
      `do that for real over HTTP, all on this machine: ${where}.`,
  );
  trace.heading("Words used below");
  const width = Math.max(...GLOSSARY.map(([word]) => word.length));
  for (const [word, meaning] of GLOSSARY) {
    const [first = "", ...rest] = wrapAfter(meaning, width + 4);
    trace.note(`  ${word.padEnd(width)}  ${first}`);
    for (const line of rest) trace.note(line);
  }
}

export function printNextSteps(trace: Trace): void {
  trace.heading("What to try next");
  for (const [command, what] of NEXT) trace.paragraph(`• ${command}: ${what}`, "  ");
}

/** `text` wrapped so that its continuation lines line up under the first one, `column` characters in. */
function wrapAfter(text: string, column: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && column + line.length + 1 + word.length > 112) {
      lines.push(line);
      line = "";
    }
    line += line ? ` ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((part, index) => (index === 0 ? part : `${" ".repeat(column)}${part}`));
}
