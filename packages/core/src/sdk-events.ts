// Typed lifecycle events. Payloads carry ids, codes and times only, never a credential.
// A throwing or rejecting handler is logged and isolated: it never breaks the SDK call that emitted the event.
import { lazySchema } from "./lazy-zod.js";
import type { Logger } from "./logger.js";
import { parseInput } from "./parse-input.js";

export interface SdkEventMap {
  "token.refreshed": { provider: string; integration_id: string; account_id: string; expires_at: string; chain?: string };
  /** `background`: a refresh ahead of expiry failed; callers still get the current token and the next one retries. */
  "token.refresh_failed": { provider: string; integration_id: string; account_id: string; code: string; retryable: boolean; chain?: string; background?: boolean };
  "connection.needs_reauth": { provider: string; integration_id: string; account_id: string; reason: string };
  "connection.recovered": { provider: string; integration_id: string; account_id: string };
  "connection.revoked": { provider: string; integration_id: string; account_id: string; reason: string };
  "connection.deleted": { provider: string; integration_id: string; account_id: string; revoked: boolean };
  "state.rejected": { provider: string | undefined; code: string };
}

export type SdkEventName = keyof SdkEventMap;
export type SdkEventHandler<E extends SdkEventName> = (payload: SdkEventMap[E]) => unknown;

/** Every event name, in the order of the events table in the README. */
export const SDK_EVENT_NAMES = [
  "token.refreshed",
  "token.refresh_failed",
  "connection.needs_reauth",
  "connection.recovered",
  "connection.revoked",
  "connection.deleted",
  "state.rejected",
] as const satisfies readonly SdkEventName[];

// Compile-time completeness: an event added to SdkEventMap but not to SDK_EVENT_NAMES could be emitted yet never
// subscribed to (`on` validates against this list), so a missing name fails the build here.
type UnlistedEventName = Exclude<SdkEventName, (typeof SDK_EVENT_NAMES)[number]>;
const everyEventListed: [UnlistedEventName] extends [never] ? true : UnlistedEventName = true;
void everyEventListed;

const subscriptionSchema = lazySchema((z) =>
  z.object({
    name: z.enum(SDK_EVENT_NAMES),
    handler: z.custom<(payload: never) => unknown>((value) => typeof value === "function", "must be a function"),
  }),
);

export class SdkEvents {
  readonly #handlers = new Map<SdkEventName, Set<(payload: never) => unknown>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Subscribes; returns the function that unsubscribes. An unknown event name is `validation_failed`. */
  on<E extends SdkEventName>(name: E, handler: SdkEventHandler<E>): () => void {
    parseInput(subscriptionSchema(), { name, handler }, "events.on");
    const set = this.#handlers.get(name) ?? new Set();
    set.add(handler as (payload: never) => unknown);
    this.#handlers.set(name, set);
    return () => set.delete(handler as (payload: never) => unknown);
  }

  emit<E extends SdkEventName>(name: E, payload: SdkEventMap[E]): void {
    for (const handler of this.#handlers.get(name) ?? []) {
      try {
        const result = (handler as SdkEventHandler<E>)(payload);
        // An async handler that rejects would otherwise be an unhandled rejection, which ends a Node process.
        if (result && typeof (result as Promise<void>).then === "function") {
          (result as Promise<void>).then(undefined, (error: unknown) => this.#failed(name, error));
        }
      } catch (error) {
        this.#failed(name, error);
      }
    }
  }

  #failed(name: SdkEventName, error: unknown): void {
    // Only the error's name: a handler's message is the user's text and may quote anything.
    this.#logger.warn({ event: name, error_name: error instanceof Error ? error.name : typeof error }, "event handler threw");
  }
}
