// The one-time backfill of an index RedisStore added after records were written: walks the store's `all` set with
// SSCAN, indexes each record that still exists, then sets a marker so no process walks it again. Idempotent, so any
// number of processes may run it at once; a failed run is retried by the next call.
import type { Integration } from "@sdk/core";
import type { RedisClient } from "./redis-client.js";

/** How many ids one backfill step reads (SSCAN COUNT) and indexes. */
const BACKFILL_BATCH = 500;

/** A MULTI batch of the caller's client. */
type Batch = ReturnType<RedisClient["multi"]>;

export type RecordReader = (ids: string[]) => Promise<Array<Integration | undefined>>;

export class RedisIndexBackfill {
  readonly #client: RedisClient;
  readonly #tag: string;
  readonly #marker: string;
  readonly #index: (batch: Batch, record: Integration) => void;
  #ready: Promise<void> | undefined;
  /** A walk asked for with `again`, shared by the calls that ask while it runs. */
  #again: Promise<void> | undefined;

  constructor(client: RedisClient, tag: string, marker: string, index: (batch: Batch, record: Integration) => void) {
    this.#client = client;
    this.#tag = tag;
    this.#marker = marker;
    this.#index = index;
  }

  /**
   * Resolves once every record is indexed (at once when the marker is set; once per store object otherwise).
   * `again`: walks the store even though the marker is set (after the last writer of an earlier build stopped: records
   * it wrote after the first walk are in no set yet). Readers never wait for that walk and the marker stays set, so no
   * other process starts one of its own: sets only gain ids meanwhile, and readers are never worse off.
   */
  ensure(readRecords: RecordReader, options: { again?: boolean } = {}): Promise<void> {
    if (options.again) {
      this.#again ??= this.#run(readRecords, true).finally(() => {
        this.#again = undefined;
      });
      return this.#again;
    }
    this.#ready ??= this.#run(readRecords, false).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #run(readRecords: RecordReader, force: boolean): Promise<void> {
    if (!force && (await this.#client.get(this.#marker)) !== null) return;
    let cursor = "0";
    do {
      const [next, ids] = await this.#client.sscan(`${this.#tag}:all`, cursor, "COUNT", BACKFILL_BATCH);
      cursor = next;
      if (ids.length === 0) continue;
      const records = await readRecords(ids);
      const batch = this.#client.multi();
      for (const record of records) if (record) this.#index(batch, record);
      await batch.exec();
    } while (cursor !== "0");
    await this.#client.set(this.#marker, "1");
  }
}
