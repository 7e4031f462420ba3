// Records what the SDK does from the outside, for readable traces: wrappers of the cache, the store and fetch, a
// logger and event listeners that write one step each. Keys, field names, ids and statuses are kept; every value
// that could be a secret (cache values, credentials, request and response bodies) is reduced to its size.
import type { CacheStore, Integration, Logger, PersistentStore, SDK, SdkEventName } from "@sdk/core";
import type { CredentialCipher, IntegrationFilter, IntegrationPatch, UpdateOptions } from "@sdk/core/provider-kit";

/** One recorded step of a trace. */
export interface TraceStep {
  /** Order of recording (1-based). */
  seq: number;
  /** Real milliseconds since the recorder started (shows waiting and concurrency). */
  at_ms: number;
  /** Who acted: "A", "B" (SDK instances), "slack" (answers). */
  actor: string;
  kind: "section" | "note" | "cache" | "store" | "http" | "event" | "log";
  text: string;
}

const redacted = (value: string) => `<redacted ${value.length} chars>`;

/** Fields of an oauth.v2.access / Web API answer that are safe to show (never tokens). */
function summarizeAnswer(body: unknown): string {
  if (typeof body !== "object" || body === null) return "body is not JSON";
  const answer = body as Record<string, unknown>;
  if (answer.ok === false) return `ok:false error=${typeof answer.error === "string" && /^[a-z_]{1,64}$/.test(answer.error) ? answer.error : "?"}`;
  const parts = ["ok:true"];
  if (typeof answer.token_type === "string") parts.push(`token_type=${answer.token_type}`);
  if (typeof answer.access_token === "string") parts.push(`access_token=${redacted(answer.access_token)}`);
  if (typeof answer.expires_in === "number") parts.push(`expires_in=${answer.expires_in}`);
  if (typeof answer.refresh_token === "string") parts.push(`refresh_token=${redacted(answer.refresh_token)}`);
  const user = answer.authed_user as Record<string, unknown> | undefined;
  if (user && typeof user.access_token === "string") parts.push(`authed_user.access_token=${redacted(user.access_token)}`);
  if (user && typeof user.refresh_token === "string") parts.push(`authed_user.refresh_token=${redacted(user.refresh_token)}`);
  return parts.join(" ");
}

/** A request body with every value but `grant_type` redacted. */
function summarizeRequest(init: RequestInit | undefined): string {
  const headers = new Headers(init?.headers);
  const auth = headers.get("authorization");
  const credentials = auth ? ` (${auth.split(" ")[0]} ${redacted(auth.slice(auth.indexOf(" ") + 1))})` : "";
  if (typeof init?.body !== "string" || init.body === "") return credentials.trim();
  let fields: Array<[string, string]>;
  try {
    fields = headers.get("content-type")?.includes("json") ? Object.entries(JSON.parse(init.body) as Record<string, unknown>).map(([key, value]) => [key, String(value)]) : [...new URLSearchParams(init.body)];
  } catch {
    return `body ${redacted(init.body)}${credentials}`;
  }
  return fields.map(([key, value]) => (key === "grant_type" ? `${key}=${value}` : `${key}=${redacted(value)}`)).join(" ") + credentials;
}

/** Credential fields whose plaintext changed (each write re-encrypts every field with a fresh IV). */
function changedFields(cipher: CredentialCipher | undefined, before: Integration | undefined, after: Integration): string[] {
  // Envelopes are bound to their record (id, provider, account, routing metadata): each side opens with its own.
  const open = (record: Integration | undefined) => (record && cipher ? cipher.decryptFields(record, record.credentials) : (record?.credentials ?? {}));
  const previous = open(before);
  const next = open(after);
  return Object.keys(next).filter((key) => JSON.stringify(previous[key]) !== JSON.stringify(next[key]));
}

export class TraceRecorder {
  readonly steps: TraceStep[] = [];
  readonly #started = performance.now();

  #push(actor: string, kind: TraceStep["kind"], text: string): void {
    this.steps.push({ seq: this.steps.length + 1, at_ms: Math.round(performance.now() - this.#started), actor, kind, text });
  }

  section(text: string): void {
    this.#push("", "section", text);
  }

  note(text: string, actor = ""): void {
    this.#push(actor, "note", text);
  }

  /** The cache as one SDK instance sees it; values are never recorded. */
  cache(cache: CacheStore, actor: string): CacheStore {
    const wrapped: CacheStore = {
      get: async (key) => {
        const value = await cache.get(key);
        this.#push(actor, "cache", `GET ${key} -> ${value === undefined ? "miss" : `hit ${redacted(value)}`}`);
        return value;
      },
      set: async (key, value, ttlMs) => {
        await cache.set(key, value, ttlMs);
        this.#push(actor, "cache", `SET ${key} ${redacted(value)} ttl=${Math.round(ttlMs / 1000)}s`);
      },
      delete: async (key) => {
        await cache.delete(key);
        this.#push(actor, "cache", `DEL ${key}`);
      },
      setIfAbsent: async (key, value, ttlMs) => {
        const won = await cache.setIfAbsent(key, value, ttlMs);
        this.#push(actor, "cache", `SETNX ${key} ttl=${Math.round(ttlMs / 1000)}s -> ${won ? "acquired" : "held by someone else"}`);
        return won;
      },
      deleteIfEquals: async (key, value) => {
        const deleted = await cache.deleteIfEquals(key, value);
        this.#push(actor, "cache", `DEL-IF-OWNER ${key} -> ${deleted ? "released" : "not the owner any more"}`);
        return deleted;
      },
    };
    if (cache.waitFor) {
      const waitFor = cache.waitFor.bind(cache);
      wrapped.waitFor = async (key, timeoutMs, signal) => {
        this.#push(actor, "cache", `WAIT ${key} (up to ${Math.round(timeoutMs / 1000)}s)`);
        const woken = await waitFor(key, timeoutMs, signal);
        if (!signal?.aborted) this.#push(actor, "cache", `WAIT ${key} -> ${woken ? "woken" : "timed out"}`);
        return woken;
      };
    }
    return wrapped;
  }

  /**
   * The store as one SDK instance sees it: versions, statuses and which credential fields changed, no values.
   * `cipher` (the SDK's keys) lets it tell which encrypted fields really changed.
   */
  store(store: PersistentStore, actor: string, cipher?: CredentialCipher): PersistentStore {
    return {
      get: async (id) => {
        const record = await store.get(id);
        this.#push(actor, "store", `READ ${id} -> ${record ? `v${record.version} ${record.status}` : "none"}`);
        return record;
      },
      create: async (record: Integration) => {
        const created = await store.create(record);
        this.#push(actor, "store", `CREATE ${record.id} v${created.version} natural_key=${record.natural_key} credentials=[${Object.keys(record.credentials).sort().join(", ")}] (encrypted)`);
        return created;
      },
      update: async (id: string, patch: IntegrationPatch, options: UpdateOptions) => {
        const before = await store.get(id);
        try {
          const updated = await store.update(id, patch, options);
          const what = [patch.status ? `status=${patch.status}` : "", patch.credentials ? `credentials changed: [${changedFields(cipher, before, updated).join(", ")}]` : ""].filter(Boolean).join(" ");
          this.#push(actor, "store", `CAS-UPDATE ${id} expected v${options.expectedVersion} -> v${updated.version} ${what}`);
          return updated;
        } catch (error) {
          this.#push(actor, "store", `CAS-UPDATE ${id} expected v${options.expectedVersion} -> conflict`);
          throw error;
        }
      },
      delete: async (id) => {
        const deleted = await store.delete(id);
        this.#push(actor, "store", `DELETE ${id} -> ${deleted}`);
        return deleted;
      },
      list: async (filter: IntegrationFilter) => {
        const found = await store.list(filter);
        this.#push(actor, "store", `LIST ${JSON.stringify(filter)} -> ${found.length}`);
        return found;
      },
    };
  }

  /** `fetch` as one SDK instance uses it: method, path, grant_type and the safe fields of the answer. */
  fetch(inner: typeof globalThis.fetch, actor: string): typeof globalThis.fetch {
    return async (input, init) => {
      const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      this.#push(actor, "http", `-> ${init?.method ?? "GET"} ${url.pathname} ${summarizeRequest(init)}`.trimEnd());
      const response = await inner(input, init);
      let body: unknown;
      try {
        body = await response.clone().json();
      } catch {
        body = undefined;
      }
      this.#push("slack", "http", `<- ${response.status} ${url.pathname} ${summarizeAnswer(body)}`);
      return response;
    };
  }

  logger(actor: string): Logger {
    const line = (level: string) => (fields: Record<string, unknown>, message: string) => this.#push(actor, "log", `${level} ${message} ${JSON.stringify(fields)}`);
    return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
  }

  events(sdk: SDK, actor: string, names: SdkEventName[]): void {
    for (const name of names) sdk.events.on(name, (payload) => this.#push(actor, "event", `${name} ${JSON.stringify(payload)}`));
  }

  /** The trace as text, one line per step. */
  render(): string {
    return this.steps
      .map((step) => (step.kind === "section" ? `\n== ${step.text}` : `${String(step.seq).padStart(3)}  +${String(step.at_ms).padStart(4)}ms  ${step.actor.padEnd(5)} ${step.kind.padEnd(6)} ${step.text}`))
      .join("\n");
  }
}
