// Typed lifecycle events. Payloads carry ids, codes and times only, never a credential.
// A throwing handler is logged and isolated: it never breaks the SDK call that emitted the event.
import type { Logger } from "./logger.js";

export interface SdkEventMap {
  "token.refreshed": { provider: string; integration_id: string; account_id: string; expires_at: string; chain?: string };
  "token.refresh_failed": { provider: string; integration_id: string; account_id: string; code: string; retryable: boolean; chain?: string };
  "connection.needs_reauth": { provider: string; integration_id: string; account_id: string; reason: string };
  "connection.recovered": { provider: string; integration_id: string; account_id: string };
  "connection.revoked": { provider: string; integration_id: string; account_id: string; reason: string };
  "connection.deleted": { provider: string; integration_id: string; account_id: string; revoked: boolean };
  "state.rejected": { provider: string | undefined; code: string };
}

export type SdkEventName = keyof SdkEventMap;
export type SdkEventHandler<E extends SdkEventName> = (payload: SdkEventMap[E]) => void;

export class SdkEvents {
  readonly #handlers = new Map<SdkEventName, Set<(payload: never) => void>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Subscribes; returns the function that unsubscribes. */
  on<E extends SdkEventName>(name: E, handler: SdkEventHandler<E>): () => void {
    const set = this.#handlers.get(name) ?? new Set();
    set.add(handler as (payload: never) => void);
    this.#handlers.set(name, set);
    return () => set.delete(handler as (payload: never) => void);
  }

  emit<E extends SdkEventName>(name: E, payload: SdkEventMap[E]): void {
    for (const handler of this.#handlers.get(name) ?? []) {
      try {
        (handler as SdkEventHandler<E>)(payload);
      } catch (error) {
        this.#logger.warn({ event: name, error_name: error instanceof Error ? error.name : typeof error }, "event handler threw");
      }
    }
  }
}
