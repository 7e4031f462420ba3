// The last record parsed per id, with the exact JSON it was parsed from: when Redis answers the same JSON again (an
// unchanged record, the usual case on the hot path), the parse is skipped. Equal input, equal output, so it can never
// serve anything Redis did not just answer; every read still makes its Redis round trip (this is not a tier).
import type { Integration } from "@sdk/core";
import { copyRecord, freezeEnvelopes } from "./record-copies.js";

/**
 * Most records remembered (the oldest is forgotten first): a record's JSON is about 0.6 KB and the kept record about
 * twice that, so about 8 MB at most.
 */
const MAX_ENTRIES = 4096;

export class ParsedRecordMemo {
  readonly #entries = new Map<string, { json: string; record: Integration }>();

  /** The record `json` holds: a copy of the remembered one when `json` is what it was parsed from, else `parse(json)`. */
  read(id: string, json: string, parse: (json: string) => Integration): Integration {
    const known = this.#entries.get(id);
    if (known !== undefined && known.json === json) return copyRecord(known.record);
    const record = freezeEnvelopes(parse(json));
    if (known === undefined && this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(id, { json, record });
    return copyRecord(record);
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }
}
