// The opened credentials object: it behaves like a plain object of the fields, a sealed field is opened on its first
// read and only then, and presence checks never open anything.
import { describe, expect, it } from "vitest";
import { openedFields } from "./opened-fields.js";

const sealed = (text: string) => ({ sealed: text });
const isSealed = (value: unknown) => typeof value === "object" && value !== null && "sealed" in value;

function fixture() {
  const opened: string[] = [];
  const fields = openedFields({ refresh_token: sealed("rt"), access_token: sealed("at"), region: "eu" }, isSealed, (field, value) => {
    opened.push(field);
    return `plain-${(value as { sealed: string }).sealed}`;
  });
  return { fields, opened };
}

describe("openedFields", () => {
  it("presence, keys and descriptors open nothing", () => {
    const { fields, opened } = fixture();
    expect(Object.hasOwn(fields, "refresh_token")).toBe(true);
    expect(Object.hasOwn(fields, "missing")).toBe(false);
    expect("access_token" in fields).toBe(true);
    expect(Object.keys(fields)).toEqual(["refresh_token", "access_token", "region"]);
    expect(Object.getOwnPropertyDescriptor(fields, "refresh_token")?.enumerable).toBe(true);
    expect(fields.region).toBe("eu");
    expect(opened).toEqual([]);
  });

  it("opens a field on its first read only", () => {
    const { fields, opened } = fixture();
    expect(fields.access_token).toBe("plain-at");
    expect(fields.access_token).toBe("plain-at");
    expect(opened).toEqual(["access_token"]);
    expect(Object.getOwnPropertyDescriptor(fields, "access_token")?.value).toBe("plain-at");
  });

  it("spread, entries and JSON open every field once and give plain values", () => {
    const { fields, opened } = fixture();
    expect({ ...fields }).toEqual({ refresh_token: "plain-rt", access_token: "plain-at", region: "eu" });
    expect(Object.entries(fields)).toEqual([["refresh_token", "plain-rt"], ["access_token", "plain-at"], ["region", "eu"]]);
    expect(JSON.parse(JSON.stringify(fields))).toEqual({ refresh_token: "plain-rt", access_token: "plain-at", region: "eu" });
    expect(opened.sort()).toEqual(["access_token", "refresh_token"]);
  });

  it("a write replaces a sealed field without opening it; a delete removes it", () => {
    const { fields, opened } = fixture();
    fields.refresh_token = "new";
    expect(fields.refresh_token).toBe("new");
    delete fields.access_token;
    expect(Object.hasOwn(fields, "access_token")).toBe(false);
    expect(fields.access_token).toBeUndefined();
    expect(opened).toEqual([]);
  });

  it("a field that fails to open throws on read, not on presence checks", () => {
    const fields = openedFields({ api_key: sealed("x") }, isSealed, () => {
      throw new Error("does not open");
    });
    expect(Object.hasOwn(fields, "api_key")).toBe(true);
    expect(() => fields.api_key).toThrow("does not open");
    expect(() => ({ ...fields })).toThrow("does not open");
  });

  it("nothing sealed: a plain object", () => {
    const fields = openedFields({ region: "eu" }, isSealed, () => "never");
    expect(fields).toEqual({ region: "eu" });
    expect(structuredClone(fields)).toEqual({ region: "eu" });
  });
});
